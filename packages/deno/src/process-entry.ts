import { exitAfterSends, serveWorkerUntilEnd, type ToWorker, type WorkerSidePort } from "@weft/core";
import { deno } from "./deno-api.js";
import { encodeFrame, FrameReader, pumpFrames } from "./wire.js";

const api = deno();
const exit = api.exit.bind(api);

/**
 * Over stdout, frames go out with synchronous writes: one frame is never split by a task's
 * console.log (also synchronous) and everything sent has left before an exit.
 */
function writeToStdout(bytes: Uint8Array): void {
  for (let written = 0; written < bytes.length; ) written += api.stdout.writeSync(bytes.subarray(written));
}

/** Where the parent listens for this child's frames, when it opened a socket (see frame-socket.ts). */
const socketPath = new URL(import.meta.url).searchParams.get("frames");

/**
 * A feeder thread (as Python's multiprocessing.Queue has) owns the connection to the parent's
 * socket: this thread hands it each frame and goes on. Socket writes complete later, and a frame
 * waiting for this thread's event loop would wait as long as a task keeps it busy: results sent
 * before a task that spins would reach the parent only after it (so its run timeout would start
 * late). The feeder writes frames in the order they came, and counts them back.
 */
const FEEDER_SOURCE = `
let conn;
let frames = [];
let writing = false;
let written = 0;
const writeAll = async () => {
  if (writing || !conn) return;
  writing = true;
  while (frames.length > 0) {
    const batch = frames;
    frames = [];
    const bytes = new Uint8Array(batch.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const frame of batch) { bytes.set(frame, at); at += frame.length; }
    try {
      for (let sent = 0; sent < bytes.length; ) sent += await conn.write(bytes.subarray(sent));
    } catch {
      // The parent is gone: what is left cannot be delivered, and the child's exit follows.
    }
    written += batch.length;
    postMessage(written);
  }
  writing = false;
};
onmessage = (event) => { frames.push(event.data); writeAll(); };
Deno.connect({ transport: "unix", path: PATH }).then(
  (connected) => { conn = connected; writeAll(); },
  (error) => postMessage({ error: String(error) }),
);`;

/** Sends through the feeder; the exit waits until the feeder has written what was sent. */
function socketSender(path: string): Pick<WorkerSidePort, "send" | "exit"> {
  const fail = (reason: string): never => {
    console.error(`weft: this process worker could not connect to its parent's socket ${path} (${reason}); runtimeOptions.transport: "pipe" avoids the socket.`);
    return exit(1);
  };
  const feeder = new Worker(`data:text/javascript,${encodeURIComponent(FEEDER_SOURCE.replace("PATH", JSON.stringify(path)))}`, { type: "module" });
  // The `sent` callbacks of frames the feeder has not counted back; `counted` frames came back before them.
  let unsent: (() => void)[] = [];
  let next = 0;
  let counted = 0;
  feeder.onmessage = (event: MessageEvent<number | { error: string }>) => {
    if (typeof event.data !== "number") return fail(event.data.error);
    while (counted + next < event.data && next < unsent.length) unsent[next++]!();
    if (next === unsent.length) {
      counted += next;
      unsent = [];
      next = 0;
    }
  };
  feeder.onerror = (event) => {
    event.preventDefault();
    fail(event.message);
  };
  return exitAfterSends((message, sent) => {
    const frame = encodeFrame(message);
    unsent.push(sent);
    feeder.postMessage(frame, [frame.buffer]);
  }, exit);
}

const sender = socketPath === null ? { send: (message: unknown) => writeToStdout(encodeFrame(message)), exit } : socketSender(socketPath);

let handler: ((message: ToWorker) => void) | undefined;
const port: WorkerSidePort = {
  kind: "process",
  send: sender.send,
  // Each frame costs a pipe write, a read and a turn of the parent's event loop: with channel
  // batches of 16,384 items instead of 4,096, 100,000 items took 40–48 ms instead of 50–57 main →
  // process, and 25–32 instead of 25–36 process → main (runs alternated, same sitting). Node's IPC
  // got slower with them, so the default stays 4,096.
  channelBatch: 16384,
  onMessage: (h) => void (handler = h),
  exit: sender.exit,
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
