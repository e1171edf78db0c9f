import { reportFatalError, serveWorker, type WorkerSidePort } from "@weft/core";

if (typeof process.send !== "function") throw new Error("@weft/bun's process entry must be started with an IPC channel.");
const sendRaw = process.send.bind(process);
const exit = process.exit.bind(process);
let unsent = 0;
let exitWhenSent: number | undefined;

const port: WorkerSidePort = {
  kind: "process",
  send: (message) => {
    unsent++;
    sendRaw(message, undefined, undefined, () => {
      if (--unsent === 0 && exitWhenSent !== undefined) exit(exitWhenSent);
    });
  },
  onMessage: (handler) => void process.on("message", handler),
  exit: (code) => exitAfterSending(code),
};

/**
 * IPC writes are asynchronous and Bun's process.exit drops what is still queued (a burst of
 * 1,000 sends followed by exit delivered as few as 266): let the last results and the fatal
 * report leave, then exit.
 */
function exitAfterSending(code: number): void {
  exitWhenSent = code;
  if (unsent === 0) exit(code);
}

const served = serveWorker(port);

process.exit = ((code?: number | string | null) => {
  served.flush();
  exitAfterSending(Number(code ?? 0));
}) as typeof process.exit;

for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.on(event, (error: unknown) => {
    served.flush();
    reportFatalError(port, error);
    exitAfterSending(1);
  });
}
// The parent is gone (closed the channel, exited or was killed): leave no orphan behind.
process.on("disconnect", () => exit(0));
