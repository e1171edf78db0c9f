import { type Endpoint, type StartOptions, webWorkerEndpoint } from "@weft/core/adapter";
import { bootstrapModule } from "./bootstrap.js";
import { requireWorkerOptionsFlag, workerPermissions } from "./permissions.js";
import { resolveRuntimeOptions } from "./runtime-options.js";

const ENTRY = new URL("./thread-entry.js", import.meta.url);

/**
 * Deno's Worker keeps the process alive while it runs and has no public unref(); its
 * private ref-count method is the one un-registered symbol-keyed method on the prototype
 * (node:worker_threads' unref() uses it). Found once; when absent, workers keep the host alive.
 */
const refWorker: ((worker: Worker, keepAlive: boolean) => void) | undefined = (() => {
  const proto = Worker.prototype as unknown as Record<symbol, unknown>;
  const candidates = Object.getOwnPropertySymbols(proto).filter(
    (symbol) => Symbol.keyFor(symbol) === undefined && symbol !== Symbol.toStringTag && typeof proto[symbol] === "function",
  );
  if (candidates.length !== 1) return undefined;
  const method = candidates[0]!;
  return (worker, keepAlive) => (worker as unknown as Record<symbol, (ref: boolean) => void>)[method]!(keepAlive);
})();

/** A Deno module Web Worker running weft's thread entry, with the pool's Deno permissions. */
export function startThread(options: StartOptions): Endpoint {
  const { permissions } = resolveRuntimeOptions(options.runtimeOptions);
  const restricted = workerPermissions(permissions);
  if (restricted !== "inherit") requireWorkerOptionsFlag();
  const worker = new Worker(bootstrapModule(ENTRY, options.module), {
    type: "module",
    name: options.name,
    ...(restricted === "inherit" ? {} : { deno: { permissions: restricted } }),
  } as WorkerOptions);
  // An `error` event reaches here only when the entry itself failed (e.g. could not load): the
  // entry reports a task's uncaught errors itself.
  return webWorkerEndpoint(worker, {
    kind: "thread",
    // Like Node's worker.terminate(): exit code 1. A worker busy in synchronous code keeps
    // running (capabilities.stopsBusyThreads): the endpoint unrefs it, so that such a thread
    // never keeps the host alive — ending the host ends it.
    terminatedExit: { code: 1, signal: null },
    ...(refWorker ? { ref: (keepAlive: boolean) => refWorker(worker, keepAlive) } : {}),
  });
}
