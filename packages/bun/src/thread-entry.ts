import { serveWorkerUntilEnd } from "@weft/core/adapter";

declare const self: Worker;
const exit = process.exit.bind(process);

// postMessage enqueues synchronously and Bun dispatches it before the worker's "close", so
// results flushed before the exit reach the caller.
serveWorkerUntilEnd(
  {
    kind: "thread",
    send: (message, transfer) => postMessage(message, (transfer ?? []) as Bun.Transferable[]),
    onMessage: (handler) => self.addEventListener("message", (event) => handler(event.data)),
    exit,
  },
  {
    replaceExit: (end) => void (process.exit = ((code?: number) => end(code ?? 0)) as typeof process.exit),
    // Bun ends a worker on an unhandled rejection with exit code 0, as if it had finished
    // cleanly: treat it like an uncaught exception, so the running task is blamed with the cause.
    onUncaughtError: (handler) => {
      process.on("uncaughtException", handler);
      process.on("unhandledRejection", handler);
    },
  },
);
