/**
 * @weft/core — Python's multiprocessing, threading and asyncio for TypeScript, runtime-agnostic.
 * Import it through `weftjs` (or `@weft/node`, `@weft/deno`, `@weft/bun`, `@weft/browser`), which
 * installs the runtime's adapter; the core itself imports nothing runtime-specific.
 */
// The user's API only. Adapter authors import "@weft/core/adapter"; pools over other transports
// "@weft/core/transport"; weft's own tests "@weft/core/testing".
export type { Adapter, Capabilities, RuntimeName, WorkerKind } from "./port.js";
import { defaultAdapter } from "./adapter-registry.js";
export {
  WeftError, WorkerExitError, AbortError, TimeoutError, PoolClosedError, QueueFullError, DataCloneError,
  TaskReferenceError, TaskModuleLoadError, WorkerStartError, InvalidArgumentError, SharedMemoryUnavailableError,
  NoAdapterError, InvalidStateError, ManagerClosedError, UnknownHandleError, MalformedMessageError,
} from "./errors.js";
export { Future, type FutureState, type DoneCallback } from "./future.js";
export { Pool, type PoolOptions, type TaskOptions, type MapOptions, type ImapOptions, type MapProgress, type PoolErrorDetail, type PoolStats, type PoolEventType, type DurationSummary } from "./pool/pool.js";
export { Thread, Process, type WorkerTargetOptions, type ProcessOptions } from "./lifecycle.js";
export type { StartMethod } from "./spare-process.js";
export { currentTask, type TaskContext } from "./worker/context.js";
export { exit } from "./worker/exit.js";
export type { AnyFunction, ModuleSpecifier, TaskArgs, TaskName, TaskResult } from "./task-ref.js";
// Event listener types without the DOM library (Pool and @weft/cluster's pools are EventTargets).
export type { ListenerOptions, PoolListener } from "./web-types.js";

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
