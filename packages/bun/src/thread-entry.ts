import { reportFatalError, serveWorker, type WorkerSidePort } from "@weft/core";

declare const self: Worker;

const port: WorkerSidePort = {
  kind: "thread",
  send: (message, transfer) => postMessage(message, (transfer ?? []) as Bun.Transferable[]),
  onMessage: (handler) => self.addEventListener("message", (event) => handler(event.data)),
  exit: (code) => process.exit(code),
};
const served = serveWorker(port);

// postMessage enqueues synchronously and Bun dispatches it before the worker's "close", so
// results flushed here reach the caller before the exit.
const exit = process.exit.bind(process);
process.exit = ((code?: number) => {
  served.flush();
  exit(code);
}) as typeof process.exit;

// Bun ends a worker on an unhandled rejection with exit code 0, as if it had finished cleanly;
// treat it like an uncaught exception so the task that was running is blamed with the cause.
for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.on(event, (error: unknown) => {
    served.flush();
    reportFatalError(port, error);
    exit(1);
  });
}
