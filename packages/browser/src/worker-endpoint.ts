/**
 * The page's side of one Web Worker, shared by both kinds: the core's Web Worker endpoint, with
 * the browser's way to report a stop and a worker whose entry never loaded.
 */
import { type WorkerKind } from "@weft/core";
import { type Endpoint, type WorkerErrorEvent, webWorkerEndpoint } from "@weft/core/adapter";

/** Why a worker's `error` event fired on the page: its entry did not load, or it failed outside weft's handlers. */
function workerError(event: WorkerErrorEvent, kind: WorkerKind): Error {
  if (event.message) return new Error(`The ${kind} worker failed: ${event.message}`);
  return new Error(
    `The ${kind} worker's entry script (@weft/browser's ${kind}-entry.js) could not be loaded: the bundler did not emit it, ` +
      "or the server does not serve it. A bundler must emit it next to the code that starts it: Vite and webpack 5 do for the " +
      "`new Worker(new URL(…, import.meta.url), { type: \"module\" })` form, Rollup needs @web/rollup-plugin-import-meta-assets, " +
      "and a page without a bundler serves @weft/browser's dist files side by side. On a cross-origin isolated page, they need " +
      "`Cross-Origin-Embedder-Policy` too.",
  );
}

/** Wraps `worker` (already running weft's entry for `kind`) into an Endpoint. */
export function workerEndpoint(worker: Worker, kind: WorkerKind): Endpoint {
  return webWorkerEndpoint(worker, {
    kind,
    // Worker.terminate() stops the worker at once and reports nothing back: it is gone now.
    // Reported as SIGTERM, the way Python reports terminate() (exitcode -15).
    terminatedExit: { code: null, signal: "SIGTERM" },
    entryError: (event) => workerError(event, kind),
  });
}
