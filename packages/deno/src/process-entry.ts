import { serveWorkerUntilEnd, type ToWorker, type WorkerSidePort } from "@weftjs/core";
import { deno } from "./deno-api.js";
import { encodeFrame, FrameReader } from "./wire.js";

const api = deno();
const exit = api.exit.bind(api);

/**
 * Frames go out with synchronous writes: one frame is never split by a task's console.log
 * (also synchronous) and everything sent has left before an exit.
 */
function write(bytes: Uint8Array): void {
  for (let written = 0; written < bytes.length; ) written += api.stdout.writeSync(bytes.subarray(written));
}

let handler: ((message: ToWorker) => void) | undefined;
const port: WorkerSidePort = {
  kind: "process",
  send: (message) => write(encodeFrame(message)),
  onMessage: (h) => void (handler = h),
  exit: (code) => exit(code),
};
serveWorkerUntilEnd(port, {
  replaceExit: (end) => void ((api as { exit: (code?: number) => never }).exit = ((code?: number) => end(code ?? 0)) as (code?: number) => never),
  onUncaughtError: (report) => {
    // Handled here, so that Deno does not also print it and end the process its own way.
    globalThis.addEventListener("error", (event) => {
      event.preventDefault();
      report((event as ErrorEvent).error ?? new Error((event as ErrorEvent).message));
    });
    globalThis.addEventListener("unhandledrejection", (event) => {
      event.preventDefault();
      report((event as PromiseRejectionEvent).reason);
    });
  },
});

const reader = new FrameReader(
  (message) => handler?.(message as ToWorker),
  () => undefined,
);
const buffer = new Uint8Array(64 * 1024);
for (;;) {
  const read = await api.stdin.read(buffer);
  if (read === null) break;
  reader.feed(buffer.subarray(0, read));
}
// The parent is gone (closed our stdin, exited or was killed): leave no orphan behind.
exit(0);
