import { type Endpoint, type StartOptions, createEndpoint } from "@weft/core";
import { deno } from "./deno-api.js";
import { bootstrapModule, permissionFlags, resolveRuntimeOptions } from "./permissions.js";
import { encodeFrame, FrameReader, joinChunks, pumpFrames } from "./wire.js";

const ENTRY = new URL("./process-entry.js", import.meta.url);
/** After the child is gone, how long to wait for the rest of its stdout (a grandchild may hold it open). */
const DRAIN_AFTER_EXIT_MS = 200;
/** More than a pipe holds (64 KB on Linux): one read takes whatever the child has written. */
const READ_BUFFER_BYTES = 256 * 1024;

/**
 * A `deno run` child over Deno.Command, given exactly the worker's permissions as flags;
 * messages travel as V8-serialized frames over its stdin and stdout (see wire.ts).
 */
export function startProcess(options: StartOptions): Endpoint {
  const api = deno();
  const { permissions, denoArgs } = resolveRuntimeOptions(options.runtimeOptions);
  const maxHeapMb = options.resourceLimits?.maxHeapMb;
  const args = [
    "run",
    // A worker must never stop to ask a terminal for more; what it lacks is denied.
    "--no-prompt",
    // Many children starting at once must not race to rewrite the project's deno.lock.
    "--no-lock",
    ...permissionFlags(permissions),
    ...(maxHeapMb ? [`--v8-flags=--max-old-space-size=${maxHeapMb}`] : []),
    // The main module is a data: URL (see bootstrapModule), from which Deno does not look for a
    // node_modules folder by itself: resolve @weft/core and the task's npm imports through it.
    ...(denoArgs.some((arg) => arg.startsWith("--node-modules-dir")) ? [] : ["--node-modules-dir=manual"]),
    ...denoArgs,
    bootstrapModule(ENTRY, options.module),
  ];
  const child = new api.Command(api.execPath(), {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
    ...(options.env ? { env: { ...options.env } } : {}),
  }).spawn();

  const stdin = child.stdin.getWriter();
  // Frames wait here while a write is under way, then leave together in the next one: a busy
  // event loop turns rarely, and one write per frame would hold each later frame back a turn.
  let pending: Uint8Array[] = [];
  let writing = false;
  const writeAll = async () => {
    writing = true;
    while (pending.length > 0) {
      const frames = pending;
      pending = [];
      // A write racing the child's death fails here; the exit settles what it held.
      await stdin.write(joinChunks(frames)).catch(() => undefined);
    }
    writing = false;
  };
  const signal = (name: "SIGTERM" | "SIGKILL") => {
    try {
      child.kill(name);
    } catch {
      // Already exited; its status is on the way.
    }
  };
  let keepAlive = true;
  const control = createEndpoint({
    pid: child.pid,
    send: (message) => {
      // Serializing now makes an uncloneable value fail this send, not a later batch.
      const frame = encodeFrame(message);
      // Frames sent in one turn of the event loop go out in one write.
      if (pending.length === 0 && !writing) queueMicrotask(writeAll);
      pending.push(frame);
    },
    stop: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
    setKeepAlive: (value) => {
      if (value === keepAlive) return;
      keepAlive = value;
      if (value) child.ref();
      else child.unref();
    },
  });

  let decodeError: unknown;
  const reader = new FrameReader(
    control.deliver,
    // What a task prints goes to this process's stdout, as with Node's inherited stdout.
    (text) => {
      for (let written = 0; written < text.length; ) written += api.stdout.writeSync(text.subarray(written));
    },
  );
  // A BYOB reader into a buffer of our own: a default reader's read took about 0.45 ms even with
  // the pipe full (0.06–0.1 ms this way), and a child with more to send waits that long.
  const stdout = child.stdout.getReader({ mode: "byob" });
  let readBuffer = new ArrayBuffer(READ_BUFFER_BYTES);
  const readChunk = async (): Promise<Uint8Array | undefined> => {
    const { value, done } = await stdout.read(new Uint8Array(readBuffer));
    if (done || !value) return undefined;
    // The read took the buffer (transferred) and hands it back: the next read reuses it.
    readBuffer = value.buffer as ArrayBuffer;
    return value;
  };
  const readAll = (async () => {
    try {
      await pumpFrames(readChunk, reader);
    } catch (error) {
      // A corrupt frame: the channel cannot be trusted any more.
      decodeError = error;
      signal("SIGKILL");
    }
  })();

  void child.status.then(async (status) => {
    // Results the child wrote before it exited must reach the caller before its exit does.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([readAll, new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_AFTER_EXIT_MS)))]);
    clearTimeout(timer);
    // Release both pipes: a pool that outlives many workers must not keep one per worker.
    await stdout.cancel().catch(() => undefined);
    await stdin.close().catch(() => undefined);
    control.exited({
      code: status.signal ? null : status.code,
      signal: status.signal,
      ...(decodeError === undefined ? {} : { error: decodeError }),
    });
  });
  return control.endpoint;
}
