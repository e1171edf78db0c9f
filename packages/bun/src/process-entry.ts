import { Worker } from "node:worker_threads";
import { exitAfterSends, serveWorkerUntilEnd, type ToWorker } from "@weft/core/adapter";
import { decodeMessage, encodeMessage } from "./wire.js";

/** How often the watchdog looks for the parent: a child outlives a killed host by at most this. */
const PARENT_CHECK_MS = 200;

if (typeof process.send !== "function") throw new Error("@weft/bun's process entry must be started with an IPC channel.");
const send = process.send.bind(process);
const exit = process.exit.bind(process);
// IPC writes are asynchronous and Bun's process.exit drops what is still queued (a burst of
// 1,000 sends followed by exit delivered as few as 266): let everything leave, then exit.
const channel = exitAfterSends((message, sent) => send(encodeMessage(message), undefined, undefined, sent), exit);

serveWorkerUntilEnd(
  { kind: "process", send: channel.send, onMessage: (handler) => void process.on("message", (message) => handler(decodeMessage(message) as ToWorker)), exit: channel.exit },
  {
    replaceExit: (end) => void (process.exit = ((code?: number | string | null) => end(Number(code ?? 0))) as typeof process.exit),
    onUncaughtError: (handler) => {
      process.on("uncaughtException", handler);
      process.on("unhandledRejection", handler);
    },
  },
);
// The parent is gone (closed the channel, exited or was killed): leave no orphan behind.
process.on("disconnect", () => exit(0));
// …also while a task keeps this thread busy: a watchdog thread checks on the parent.
const watchdog = new Worker(new URL("./parent-watchdog.js", import.meta.url), { workerData: { parent: process.ppid, everyMs: PARENT_CHECK_MS } });
watchdog.unref();
// A watchdog that could not start leaves the "disconnect" check alone in charge; it must not end the worker.
watchdog.on("error", () => undefined);
