import { reportFatalError, serveWorker, type WorkerSidePort } from "@weft/core";

if (typeof process.send !== "function") throw new Error("@weft/node's process entry must be forked with an IPC channel.");
const send = process.send.bind(process);

const port: WorkerSidePort = {
  kind: "process",
  send: (message) => void send(message as never),
  onMessage: (handler) => void process.on("message", handler),
  exit: (code) => process.exit(code),
};

process.on("uncaughtException", (error) => {
  reportFatalError(port, error);
  // Let the IPC message leave before the process ends.
  setImmediate(() => process.exit(1));
});
process.on("unhandledRejection", (reason) => {
  reportFatalError(port, reason);
  setImmediate(() => process.exit(1));
});
// The parent is gone (closed the channel, exited or was killed): leave no orphan behind.
process.on("disconnect", () => process.exit(0));
serveWorker(port);
