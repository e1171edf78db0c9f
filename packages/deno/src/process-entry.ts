import { serveWorkerUntilEnd, type ToWorker, type WorkerSidePort } from "@weft/core";
import { deno } from "./deno-api.js";
import { encodeFrame, FrameReader, pumpFrames } from "./wire.js";

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
  // Each frame costs a pipe write, a read and a turn of the parent's event loop: with channel
  // batches of 16,384 items instead of 4,096, 100,000 items took 40–48 ms instead of 50–57 main →
  // process, and 25–32 instead of 25–36 process → main (runs alternated, same sitting). Node's IPC
  // got slower with them, so the default stays 4,096.
  channelBatch: 16384,
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

/** How often the watchdog looks for the parent: a child outlives a killed host by at most this. */
const PARENT_CHECK_MS = 200;

/**
 * A Web Worker that ends this process once its parent is gone (this process was handed to
 * another parent: its ppid changed). It runs on its own event loop, so it acts even while a task
 * keeps the main thread busy and the closed stdin below is never read. It needs no permission:
 * Deno lets a process signal itself without --allow-run, and Deno.exit in a worker would only
 * close the worker. SIGKILL, because nobody is left to receive a result.
 */
function watchParent(): void {
  const source =
    `const parent = ${api.ppid};` +
    `setInterval(() => { if (Deno.ppid !== parent) Deno.kill(Deno.pid, "SIGKILL"); }, ${PARENT_CHECK_MS});`;
  const watchdog = new Worker(`data:text/javascript,${encodeURIComponent(source)}`, { type: "module" });
  // A watchdog that could not start leaves the stdin check alone in charge; it must not end the worker.
  watchdog.onerror = (event) => event.preventDefault();
}
watchParent();

const reader = new FrameReader(
  (message) => handler?.(message as ToWorker),
  () => undefined,
);
const buffer = new Uint8Array(64 * 1024);
await pumpFrames(async () => {
  const read = await api.stdin.read(buffer);
  return read === null ? undefined : buffer.subarray(0, read);
}, reader);
// The parent is gone (closed our stdin, exited or was killed): leave no orphan behind.
exit(0);
