import { parentPort } from "node:worker_threads";
import { serveWorker } from "@weft/core";

if (!parentPort) throw new Error("@weft/node's thread entry must run in a worker thread.");
const port = parentPort;

serveWorker({
  kind: "thread",
  send: (message, transfer) => port.postMessage(message, transfer as never),
  onMessage: (handler) => void port.on("message", handler),
  exit: (code) => process.exit(code),
});
