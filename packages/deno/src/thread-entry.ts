import { reportFatalError, serveWorker, type WorkerSidePort } from "@weftjs/core";
import { deno } from "./deno-api.js";

/** Must match thread-endpoint.ts: the last message before this worker closes itself. */
const EXIT_NOTICE = "weft:exit";

const scope = globalThis as unknown as {
  postMessage(message: unknown, options?: { transfer?: Transferable[] }): void;
  close(): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
  onmessage: ((event: MessageEvent) => void) | null;
};
if (typeof scope.postMessage !== "function" || typeof scope.close !== "function") {
  throw new Error("@weftjs/deno's thread entry must run in a Web Worker.");
}
const post = scope.postMessage.bind(scope);
const close = scope.close.bind(scope);
const api = deno();
let closing = false;

/**
 * Deno's Worker tells its host neither that it closed nor with which code (Deno.exit in a
 * worker just closes it): say so as the last message, which arrives after the results sent
 * before it, then close.
 */
function exitWith(code: number): void {
  if (closing) return;
  closing = true;
  post({ type: EXIT_NOTICE, code });
  close();
}

let handler: ((message: unknown) => void) | undefined;
scope.onmessage = (event) => handler?.(event.data);

const port: WorkerSidePort = {
  kind: "thread",
  send: (message, transfer) => post(message, transfer?.length ? { transfer: transfer as Transferable[] } : undefined),
  onMessage: (h) => void (handler = h),
  exit: (code) => exitWith(code),
};
const served = serveWorker(port);

// postMessage enqueues synchronously, so results flushed here reach the caller before the notice.
const exitWithFlush = ((code?: number) => {
  served.flush();
  exitWith(code ?? 0);
}) as (code?: number) => never;
(api as { exit: (code?: number) => never }).exit = exitWithFlush;
scope.close = () => exitWithFlush(0);

const fatal = (event: Event, error: unknown) => {
  // Handled here, so that Deno does not also end the host process with it.
  event.preventDefault();
  if (closing) return;
  served.flush();
  reportFatalError(port, error);
  exitWith(1);
};
scope.addEventListener("error", (event) => fatal(event, (event as ErrorEvent).error ?? new Error((event as ErrorEvent).message)));
scope.addEventListener("unhandledrejection", (event) => fatal(event, (event as PromiseRejectionEvent).reason));
