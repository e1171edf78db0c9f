/**
 * The page's side of one Web Worker, shared by both kinds: turns a Worker into weft's Endpoint.
 *
 * A browser tells the page nothing when a worker ends itself (`self.close()` fires no event and
 * carries no code), so the worker entry announces its own end with an {@link ExitMessage} just
 * before closing, and the page's `error` event covers a worker that never started.
 */
import type { Endpoint, ExitInfo, WorkerKind } from "@weftjs/core";

/** The type of the adapter's own message that a worker sends just before it closes. */
export const EXIT_MESSAGE = "weft.browser.exit";

/** Sent by the worker entry as its last message; never reaches the core. */
export interface ExitMessage {
  readonly type: typeof EXIT_MESSAGE;
  /** 0 when the worker closed itself, 1 after an uncaught error. */
  readonly code: number;
}

function isExitMessage(data: unknown): data is ExitMessage {
  return typeof data === "object" && data !== null && (data as { type?: unknown }).type === EXIT_MESSAGE;
}

/** Why a worker's `error` event fired on the page: its entry did not load, or it failed outside weft's handlers. */
function workerError(event: Event, kind: WorkerKind): Error {
  const message = (event as Partial<ErrorEvent>).message;
  if (message) return new Error(`The ${kind} worker failed: ${message}`);
  return new Error(
    `The ${kind} worker's entry script could not be loaded. Check that @weftjs/browser's dist files are served ` +
      "next to each other (a bundler must keep the `new Worker(new URL(…, import.meta.url), { type: \"module\" })` form), " +
      "and, on a cross-origin isolated page, that they are served with `Cross-Origin-Embedder-Policy` too.",
  );
}

/** Wraps `worker` (already running weft's entry for `kind`) into an Endpoint. */
export function workerEndpoint(worker: Worker, kind: WorkerKind): Endpoint {
  const messageHandlers: ((message: unknown) => void)[] = [];
  let exitHandler: ((info: ExitInfo) => void) | undefined;
  let exitInfo: ExitInfo | undefined;

  const finish = (info: ExitInfo): void => {
    if (exitInfo) return;
    exitInfo = info;
    // Also after the worker closed itself: what it still had queued must never run.
    worker.terminate();
    exitHandler?.(info);
  };

  worker.addEventListener("message", (event) => {
    if (exitInfo) return;
    const data: unknown = event.data;
    if (isExitMessage(data)) {
      finish({ code: data.code, signal: null });
      return;
    }
    for (const handler of messageHandlers) handler(data);
  });
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    finish({ code: 1, signal: null, error: workerError(event, kind) });
  });
  // A lost message would leave its tasks waiting forever; ending the worker settles them.
  worker.addEventListener("messageerror", () => {
    finish({ code: 1, signal: null, error: new Error(`A message from the ${kind} worker could not be deserialized on the page.`) });
  });

  return {
    send(message, transfer) {
      if (exitInfo) throw new Error(`The ${kind} worker has already ended.`);
      // A process shares nothing: what a caller asks to transfer is copied instead.
      if (kind === "thread" && transfer?.length) worker.postMessage(message, transfer as Transferable[]);
      else worker.postMessage(message);
    },
    onMessage: (handler) => void messageHandlers.push(handler),
    onExit: (handler) => {
      exitHandler = handler;
      if (exitInfo) handler(exitInfo);
    },
    // Worker.terminate() stops the worker at once and reports nothing back; it is gone now.
    // Reported as SIGTERM, the way Python reports terminate() (exitcode -15).
    terminate: async () => finish({ code: null, signal: "SIGTERM" }),
  };
}
