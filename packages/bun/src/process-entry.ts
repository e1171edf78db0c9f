import { exitAfterSends, serveWorkerUntilEnd } from "@weftjs/core";

if (typeof process.send !== "function") throw new Error("@weftjs/bun's process entry must be started with an IPC channel.");
const send = process.send.bind(process);
const exit = process.exit.bind(process);
// IPC writes are asynchronous and Bun's process.exit drops what is still queued (a burst of
// 1,000 sends followed by exit delivered as few as 266): let everything leave, then exit.
const channel = exitAfterSends((message, sent) => send(message, undefined, undefined, sent), exit);

serveWorkerUntilEnd(
  { kind: "process", send: channel.send, onMessage: (handler) => void process.on("message", handler), exit: channel.exit },
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
