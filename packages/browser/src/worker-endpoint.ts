/**
 * The page's side of one Web Worker, shared by both kinds: turns a Worker into weft's Endpoint.
 *
 * A browser tells the page nothing when a worker ends itself (`self.close()` fires no event and
 * carries no code), so the worker's last message is weft's ExitNotice (see the core's
 * serveInWebWorker), taken as its exit; the page's `error` event covers a worker that never started.
 */
import { type WorkerKind } from "@weft/core";
import { type Endpoint, type EndpointControl, createEndpoint } from "@weft/core/adapter";

/** Why a worker's `error` event fired on the page: its entry did not load, or it failed outside weft's handlers. */
function workerError(event: Event, kind: WorkerKind): Error {
  const message = (event as Partial<ErrorEvent>).message;
  if (message) return new Error(`The ${kind} worker failed: ${message}`);
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
  const control: EndpointControl = createEndpoint({
    exitByNotice: true,
    send: (message, transfer) => {
      // A process shares nothing: what a caller asks to transfer is copied instead.
      if (kind === "thread" && transfer?.length) worker.postMessage(message, transfer as Transferable[]);
      else worker.postMessage(message);
    },
    // Worker.terminate() stops the worker at once and reports nothing back: it is gone now.
    // Reported as SIGTERM, the way Python reports terminate() (exitcode -15).
    stop: () => {
      worker.terminate();
      control.exited({ code: null, signal: "SIGTERM" });
    },
  });
  const end = (error: Error) => {
    worker.terminate();
    control.exited({ code: 1, signal: null, error });
  };
  worker.addEventListener("message", (event) => {
    control.deliver(event.data);
    // Also after the worker closed itself: what it still had queued must never run.
    if (control.gone) worker.terminate();
  });
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    end(workerError(event, kind));
  });
  // A lost message would leave its tasks waiting forever; ending the worker settles them.
  worker.addEventListener("messageerror", () => end(new Error(`A message from the ${kind} worker could not be deserialized on the page.`)));
  return control.endpoint;
}
