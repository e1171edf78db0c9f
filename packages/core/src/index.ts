/**
 * @weft/core — Python's multiprocessing, threading and asyncio for TypeScript, runtime-agnostic.
 * Import it through `weft` (or `@weft/node`, `@weft/deno`, `@weft/bun`, `@weft/browser`), which
 * installs the runtime's adapter; the core itself imports nothing runtime-specific.
 */
export type { Adapter, Capabilities, Endpoint, ExitInfo, RuntimeName, StartOptions, WorkerKind, WorkerSidePort } from "./port.js";
import { defaultAdapter } from "./adapter-registry.js";
export { installAdapter, defaultAdapter } from "./adapter-registry.js";
export * from "./errors.js";
export { Future, type FutureState } from "./future.js";
export { Pool, type PoolOptions, type TaskOptions, type MapOptions, type ImapOptions, type PoolStats, type PoolEventType } from "./pool.js";
export { Thread, Process, type WorkerTargetOptions } from "./lifecycle.js";
export { serveWorker, reportFatalError, currentTask, type TaskContext, type ServedWorker } from "./worker.js";
export type { AnyFunction, ModuleSpecifier, TaskArgs, TaskName, TaskResult } from "./task-ref.js";
export { SHARED_HANDLE, registerSharedType, type SharedDescriptor, type SharedHandle } from "./shared-handle.js";
export type { FromWorker, ToWorker, RunRequest, TaskOutcome, TaskTarget } from "./protocol.js";

/** The number of logical CPUs of this host, from the installed adapter (Python's `os.cpu_count()`). */
export function cpuCount(): number {
  return defaultAdapter().cpuCount();
}
