/**
 * @weft/core/testing — what weft's own tests use and users do not: the thread bootstrap that a
 * hand-made worker needs to share locks, and the uncontended Lock round-trip measure.
 */
export { prepareThreadBootstrap, installThreadBootstrap, type ThreadBootstrapData } from "./sync/thread-id.js";
export { lockRoundTrips } from "./sync/bench.js";
