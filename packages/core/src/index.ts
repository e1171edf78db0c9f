/**
 * @weft/core — Python's multiprocessing, threading and asyncio for TypeScript, runtime-agnostic.
 * Import it through `weftjs` (or `@weft/node`, `@weft/deno`, `@weft/bun`, `@weft/browser`), which
 * installs the runtime's adapter; the core itself imports nothing runtime-specific.
 */
export type { Adapter, Capabilities, Endpoint, ExitInfo, RuntimeName, StartOptions, WorkerKind, WorkerSidePort } from "./port.js";
export { createEndpoint, defineAdapter, KILL_AFTER_MS, SERVER_RUNTIME_CAPABILITIES, type AdapterParts, type EndpointControl, type EndpointParts } from "./endpoint-kit.js";
import { defaultAdapter } from "./adapter-registry.js";
export { installAdapter, defaultAdapter } from "./adapter-registry.js";
export * from "./errors.js";
export { Future, type FutureState, type DoneCallback } from "./future.js";
// For pools over other transports (@weft/cluster): the same map/imap rules and option checks.
export { mapChunks, imapChunks, type SubmitChunk } from "./pool/map.js";
export { abortReasonToError, checkKnownKeys } from "./options.js";
export { Pool, type PoolOptions, type TaskOptions, type MapOptions, type ImapOptions, type MapProgress, type PoolErrorDetail, type PoolStats, type PoolEventType, type DurationSummary } from "./pool/pool.js";
export { Thread, Process, type WorkerTargetOptions } from "./lifecycle.js";
export { serveWorker, reportFatalError, type ServedWorker } from "./worker/serve.js";
export { currentTask, type TaskContext } from "./worker/context.js";
export { exit } from "./worker/exit.js";
export { serveWorkerUntilEnd, exitAfterSends, WorkerExiting, type WorkerEndHooks } from "./worker/end.js";
export { nextTurn } from "./next-turn.js";
export { serveInWebWorker, type WebWorkerEntryOptions } from "./worker/web-worker.js";
export type { AnyFunction, ModuleSpecifier, TaskArgs, TaskName, TaskResult } from "./task-ref.js";
// Event listener types without the DOM library, for EventTargets over other transports (@weft/cluster).
export type { ListenerOptions, PoolListener, TransferableObject } from "./web-types.js";
export { SHARED_HANDLE, registerSharedType, type SharedDescriptor, type SharedHandle } from "./shared-handle.js";
export { isExitNotice, type FromWorker, type ToWorker, type RunRequest, type TaskOutcome, type TaskTarget, type ExitNotice } from "./protocol.js";

/** The number of logical CPUs of this host, from the installed adapter (Python's `os.cpu_count()`). */
export function cpuCount(): number {
  return defaultAdapter().cpuCount();
}

// The three models' primitives. Where Python has one name in two modules (asyncio.Lock and
// threading.Lock, asyncio.Queue and multiprocessing.Queue), use the namespace: the names mean
// what they mean in that Python module.
/** Python's asyncio: tasks, task groups, timeouts and single-event-loop primitives (Lock, Queue…). */
export * as asyncio from "./asyncio/index.js";
/** Python's threading (and multiprocessing's Value/Array): primitives over SharedArrayBuffer shared between threads. */
export * as threading from "./sync/index.js";
/** Python's multiprocessing channels and Manager: Queue, Pipe and Manager's proxies, between the main side and threads or processes. */
export * as multiprocessing from "./channels/index.js";
/**
 * Python's `concurrent.futures`, as `concurrent.futures.*`: ThreadPoolExecutor, ProcessPoolExecutor,
 * and the `wait` / `asCompleted` that take their Futures (the top-level `wait` / `asCompleted` are asyncio's).
 */
export * as concurrent from "./futures/concurrent.js";

// Names that mean one thing only are also exported directly.
export {
  Task, createTask, TaskGroup, sleep, timeout, timeoutAt, waitFor, gather, asCompleted, wait, shield,
  FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED,
} from "./asyncio/index.js";
export { Value, SharedArray } from "./sync/index.js";
export { Pipe, Connection, Manager } from "./channels/index.js";
export { ThreadPoolExecutor, ProcessPoolExecutor } from "./futures/index.js";
