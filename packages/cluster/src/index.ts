/**
 * @weft/cluster — weft's Pool across machines, on BullMQ and Redis. The client
 * ({@link ClusterPool}) puts each task in a BullMQ queue; worker nodes
 * ({@link startClusterWorker}, or the `weft-cluster worker` CLI) run them on local weft pools.
 * Not for the browser: a client needs a Redis connection.
 */
export { ClusterPool, type ClusterPoolOptions, type ClusterTaskOptions, type ClusterMapOptions, type ClusterImapOptions, type ClusterPoolStats, type ClusterPoolEventType } from "./client.js";
export { startClusterWorker, type ClusterWorker, type ClusterWorkerOptions } from "./worker.js";
export { InlineTaskError, JobLostError, JobStalledError, PayloadTooLargeError, RedisUnavailableError, type LostJobState, type PayloadKind } from "./errors.js";
export { encodeValue, decodeValue } from "./codec.js";
export { DEFAULT_MAX_PAYLOAD_BYTES } from "./payload.js";
export type { RedisTarget } from "./connection.js";
export { DEFAULT_QUEUE, moduleName } from "./protocol.js";
