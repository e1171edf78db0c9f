/**
 * The worker's side, shared by both entries: runs weft's protocol in a dedicated Web Worker and
 * makes every way the worker can end reach the page exactly once.
 *
 * Browsers differ from Node here in two ways this covers:
 * - an uncaught error (or unhandled rejection) does not end a Web Worker; weft's semantics are
 *   that it does, so the entry flushes the finished results, reports the error and closes;
 * - `self.close()` gives the page no event and no code, so the entry announces the exit itself.
 */
import { reportFatalError, serveWorker, type WorkerKind, type WorkerSidePort } from "@weftjs/core";
import { EXIT_MESSAGE, type ExitMessage } from "./worker-endpoint.js";

/** What the entry uses of DedicatedWorkerGlobalScope (the DOM lib has no worker types). */
interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
  close(): void;
  document?: unknown;
}

/** Serves weft's protocol to the page from this worker. */
export function serveInWorker(kind: WorkerKind): void {
  const scope = globalThis as unknown as WorkerScope;
  if (typeof scope.postMessage !== "function" || typeof scope.close !== "function" || scope.document !== undefined) {
    throw new Error(`@weftjs/browser's ${kind} entry must run in a dedicated Web Worker started by the adapter.`);
  }
  const post = scope.postMessage.bind(scope);
  const close = scope.close.bind(scope);
  let exiting = false;

  // postMessage enqueues synchronously and close() lets what was posted arrive, so the flushed
  // results reach the page before the exit message, and a crash is blamed on the right task.
  const exit = (code: number): void => {
    if (exiting) return;
    exiting = true;
    served.flush();
    post({ type: EXIT_MESSAGE, code } satisfies ExitMessage);
    close();
  };

  const port: WorkerSidePort = {
    kind,
    send: (message, transfer) => post(message, transfer?.length ? [...transfer] : []),
    onMessage: (handler) => scope.addEventListener("message", (event) => handler((event as MessageEvent).data)),
    exit,
  };
  const served = serveWorker(port);

  const die = (error: unknown): void => {
    if (exiting) return;
    served.flush();
    reportFatalError(port, error);
    exit(1);
  };

  // The runtime's own exit call in a browser worker is close(); it takes no code.
  (scope as { close(): void }).close = () => exit(0);
  scope.addEventListener("error", (event) => {
    const error = event as ErrorEvent;
    error.preventDefault();
    die(error.error ?? new Error(error.message));
  });
  scope.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    die((event as PromiseRejectionEvent).reason);
  });
  scope.addEventListener("messageerror", () => {
    die(new Error(`A message from the page could not be deserialized in this ${kind} worker.`));
  });
}
