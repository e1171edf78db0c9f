import { parentPort } from "node:worker_threads";
import { reportFatalError, serveWorker, type WorkerSidePort } from "@weft/core";

if (!parentPort) throw new Error("@weft/node's thread entry must run in a worker thread.");
const parent = parentPort;

const port: WorkerSidePort = {
  kind: "thread",
  send: (message, transfer) => parent.postMessage(message, transfer as never),
  onMessage: (handler) => void parent.on("message", handler),
  exit: (code) => process.exit(code),
};
const served = serveWorker(port);

// postMessage enqueues synchronously, so results flushed here reach the caller before the exit.
const exit = process.exit.bind(process);
process.exit = ((code?: number) => {
  served.flush();
  exit(code);
}) as typeof process.exit;

process.on("uncaughtException", (error) => {
  served.flush();
  reportFatalError(port, error);
  exit(1);
});
