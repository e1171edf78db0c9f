import { reportFatalError, serveWorker, type WorkerSidePort } from "@weft/core";
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

let handler: ((message: unknown) => void) | undefined;
const port: WorkerSidePort = {
  kind: "process",
  send: (message) => write(encodeFrame(message)),
  onMessage: (h) => void (handler = h),
  exit: (code) => exit(code),
};
const served = serveWorker(port);

(api as { exit: (code?: number) => never }).exit = ((code?: number) => {
  served.flush();
  exit(code);
}) as (code?: number) => never;

const fatal = (event: Event, error: unknown) => {
  event.preventDefault();
  served.flush();
  reportFatalError(port, error);
  exit(1);
};
globalThis.addEventListener("error", (event) => fatal(event, (event as ErrorEvent).error ?? new Error((event as ErrorEvent).message)));
globalThis.addEventListener("unhandledrejection", (event) => fatal(event, (event as PromiseRejectionEvent).reason));

const reader = new FrameReader(
  (message) => handler?.(message),
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
