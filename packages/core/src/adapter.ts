/**
 * @weft/core/adapter — the kit for adapter authors (what @weft/node, @weft/deno, @weft/bun and
 * @weft/browser are built from): the port an adapter fills, the endpoint kit that gives every
 * endpoint the same contract, the worker-entry helpers, and the wire protocol's types. Users of
 * weft never need it: they import `weftjs` (or an adapter's main entry).
 */
export type { TransferableObject } from "./web-types.js";
export type { Adapter, Capabilities, Endpoint, ExitInfo, RuntimeName, StartOptions, WorkerKind, WorkerSidePort } from "./port.js";
export { createEndpoint, defineAdapter, KILL_AFTER_MS, SERVER_RUNTIME_CAPABILITIES, type AdapterParts, type EndpointControl, type EndpointParts } from "./endpoint-kit.js";
export { installAdapter, defaultAdapter } from "./adapter-registry.js";
export { serveWorker, reportFatalError, type ServedWorker } from "./worker/serve.js";
export { serveWorkerUntilEnd, exitAfterSends, WorkerExiting, type WorkerEndHooks } from "./worker/end.js";
export { serveIpcChild, type IpcChildOptions, type IpcProcess, type WatchdogWorkerConstructor } from "./worker/ipc-child.js";
export { parentWatchdogUrl, PARENT_CHECK_MS } from "./worker/parent-watchdog.js";
export { nextTurn } from "./next-turn.js";
export { serveInWebWorker, catchGlobalErrors, type GlobalErrorScope, type WebWorkerEntryOptions } from "./worker/web-worker.js";
export { webWorkerEndpoint, type CallerSideWebWorker, type WebWorkerEndpointOptions, type WorkerErrorEvent } from "./web-worker-endpoint.js";
export { denoNpmCacheSpecifier } from "./deno-npm-cache.js";
export { isExitNotice, type FromWorker, type ToWorker, type RunRequest, type TaskOutcome, type TaskTarget, type ExitNotice } from "./protocol.js";
export { SHARED_HANDLE, registerSharedType, type SharedDescriptor, type SharedHandle } from "./shared-handle.js";
