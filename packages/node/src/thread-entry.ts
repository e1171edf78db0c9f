import { parentPort } from "node:worker_threads";
import { serveWorkerUntilEnd } from "@weft/core/adapter";

if (!parentPort) throw new Error("@weft/node's thread entry must run in a worker thread.");
const parent = parentPort;
const exit = process.exit.bind(process);

// postMessage enqueues synchronously, so results flushed before the exit reach the caller.
serveWorkerUntilEnd(
  {
    kind: "thread",
    send: (message, transfer) => parent.postMessage(message, transfer as never),
    onMessage: (handler) => void parent.on("message", handler),
    exit,
  },
  {
    replaceExit: (end) => void (process.exit = ((code?: number) => end(code ?? 0)) as typeof process.exit),
    onUncaughtError: (handler) => void process.on("uncaughtException", handler),
  },
);
