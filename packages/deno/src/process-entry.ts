import { catchGlobalErrors, exitAfterSends, parentWatchdogUrl, serveWorkerUntilEnd, type ToWorker, type WorkerSidePort } from "@weft/core/adapter";
import { type DenoConn, deno } from "./deno-api.js";
import { FRAMES_SOCKET_KEY, type FramesSocket } from "./bootstrap.js";
import { FrameReader, pumpFrames } from "./frame-reader.js";
import { frameWriter } from "./frame-writer.js";
import { encodeFrame, V8_FRAMES } from "./wire.js";

const api = deno();
const exit = api.exit.bind(api);

/**
 * Over stdout, frames go out with synchronous writes: one frame is never split by a task's
 * console.log (also synchronous) and everything sent has left before an exit.
 */
function writeToStdout(bytes: Uint8Array): void {
  for (let written = 0; written < bytes.length; ) written += api.stdout.writeSync(bytes.subarray(written));
}

/** Where the parent listens for this child's frames, when it opened a socket (left by the bootstrap: see bootstrap.ts). */
const framesSocket = takeFramesSocket();
function takeFramesSocket(): FramesSocket | undefined {
  const scope = globalThis as Record<symbol, unknown>;
  const key = Symbol.for(FRAMES_SOCKET_KEY);
  const socket = scope[key] as FramesSocket | undefined;
  delete scope[key];
  return socket;
}

/** How long this child looks for its parent's socket, the parent alive (it listens right after the spawn returned). */
const SOCKET_APPEARS_MS = 10_000;

/**
 * The parent's socket, connected; on failure the reason goes to stderr and the child ends.
 * Either way the socket's file is removed at once (the connection outlives it): a parent killed
 * outright (SIGKILL) cannot remove it, and leaves behind only its folder, which this child may not
 * touch, empty.
 */
async function connect({ path, parent }: FramesSocket): Promise<DenoConn> {
  const giveUp = Date.now() + SOCKET_APPEARS_MS;
  for (;;) {
    try {
      const connection = await api.connect({ transport: "unix", path });
      removeSocketFile(path);
      return connection;
    } catch (error) {
      // The parent listens once this child exists (see process-endpoint.ts): not yet, or never if it died first.
      const orphaned = api.ppid !== parent;
      if ((error as Error)?.name === "NotFound" && !orphaned && Date.now() < giveUp) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      removeSocketFile(path);
      if (!orphaned) {
        console.error(`weft: this process worker could not connect to its parent's socket ${path} (${String(error)}); runtimeOptions.transport: "pipe" avoids the socket.`);
      }
      return exit(1);
    }
  }
}

function removeSocketFile(path: string): void {
  try {
    api.removeSync(path);
  } catch {
    // Removed already (the parent accepted, or never listened), or this child may not write there (a --deny-write in denoArgs).
  }
}

/**
 * Over the socket, a write is tried at once and completes later: the exit waits until what was
 * sent has left, and so does each task's start (`whenSent`), so that a task that never yields
 * cannot hold back what was sent before it. (A feeder thread owning the socket did the same at
 * the cost of a thread hop: the median round trip of a task went from 460 to 670 µs.)
 */
function socketSender(conn: DenoConn): Pick<WorkerSidePort, "send" | "exit" | "whenSent"> {
  const frames = frameWriter(async (bytes) => {
    for (let written = 0; written < bytes.length; ) written += await conn.write(bytes.subarray(written));
  }, "now");
  const sending = exitAfterSends((message, sent) => frames.send(encodeFrame(message), sent), exit);
  return { ...sending, whenSent: frames.whenSent };
}

const sender: Pick<WorkerSidePort, "send" | "exit" | "whenSent"> =
  framesSocket === undefined ? { send: (message) => writeToStdout(encodeFrame(message)), exit } : socketSender(await connect(framesSocket));

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
  ...(sender.whenSent ? { whenSent: sender.whenSent } : {}),
};
serveWorkerUntilEnd(port, {
  replaceExit: (end) => void ((api as { exit: (code?: number) => never }).exit = ((code?: number) => end(code ?? 0)) as (code?: number) => never),
  onUncaughtError: (report) => catchGlobalErrors(globalThis, report),
});

// Ends this process once its parent is gone, also while a task keeps this thread busy (the end of
// stdin below, which ends it too, needs this thread's event loop). A watchdog that could not start
// leaves the stdin check alone in charge: it must not end the worker.
const watchdog = new Worker(parentWatchdogUrl(api.ppid), { type: "module" });
watchdog.onerror = (event) => event.preventDefault();

const reader = new FrameReader(
  V8_FRAMES,
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
