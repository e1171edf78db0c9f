import { type Endpoint, type StartOptions, createEndpoint } from "@weft/core/adapter";
import { type DenoChildProcess, type DenoConn, deno } from "./deno-api.js";
import { type FrameSocket, openFrameSocket, withSocketAccess } from "./frame-socket.js";
import { FROM_NPM_CACHE, moduleFlags } from "./npm-cache.js";
import { bootstrapModule } from "./bootstrap.js";
import { permissionFlags } from "./permissions.js";
import { type ProcessTransport, type ResolvedPermissions, resolveRuntimeOptions } from "./runtime-options.js";
import { FrameReader, pumpFrames } from "./frame-reader.js";
import { frameWriter } from "./frame-writer.js";
import { encodeFrame, V8_FRAMES } from "./wire.js";

const ENTRY = new URL("./process-entry.js", import.meta.url);
/** After the child is gone, how long to wait for the rest of its stdout (a grandchild may hold it open). */
const DRAIN_AFTER_EXIT_MS = 200;
/** More than a pipe holds (64 KB on Linux): one read takes whatever the child has written. */
const READ_BUFFER_BYTES = 256 * 1024;

/**
 * The socket for this child's frames, or undefined for its stdout. "socket" fails the start
 * with the reason when there can be none.
 */
function frameSocket(transport: ProcessTransport): FrameSocket | undefined {
  if (transport === "pipe") return undefined;
  const socket = openFrameSocket();
  if (!("unavailable" in socket)) return socket;
  if (transport === "auto") return undefined;
  throw socketRefused(socket.unavailable);
}

function socketRefused(reason: string): Error {
  const NotCapable = (globalThis as { Deno?: { errors?: { NotCapable?: ErrorConstructor } } }).Deno?.errors?.NotCapable ?? Error;
  return new NotCapable(`runtimeOptions.transport is "socket", but ${reason}. Use "auto" to fall back to pipes.`);
}

/**
 * Spawns the child, then listens on its socket: the socket's file exists only while a child that
 * removes it does (see process-entry.ts), so that a host killed outright at any moment leaves at
 * most an empty folder. A listen that fails ends that child; "auto" starts another over pipes.
 */
function startChild(
  api: ReturnType<typeof deno>,
  options: StartOptions,
  given: ResolvedPermissions,
  denoArgs: readonly string[],
  transport: ProcessTransport,
): { child: DenoChildProcess; socket?: FrameSocket } {
  const socket = frameSocket(transport);
  let child: DenoChildProcess;
  try {
    child = spawnChild(api, options, socket ? withSocketAccess(given, socket.path) : given, denoArgs, socket);
  } catch (error) {
    // A refused permission or a failed spawn: the socket must not outlive the start that failed.
    socket?.close();
    throw error;
  }
  if (!socket) return { child };
  const failure = socket.listen();
  if (failure === undefined) return { child, socket };
  try {
    child.kill("SIGKILL");
  } catch {
    // Exited already.
  }
  void child.stdin.close().catch(() => undefined);
  if (transport === "socket") throw socketRefused(failure);
  return { child: spawnChild(api, options, given, denoArgs, undefined) };
}

/**
 * A `deno run` child over Deno.Command, given exactly the worker's permissions as flags.
 * Messages travel as V8-serialized frames (see wire.ts): to the child over its stdin; from it
 * over a Unix socket where this process may open one (see frame-socket.ts), else over its
 * stdout, between what its tasks print.
 */
export function startProcess(options: StartOptions): Endpoint {
  const api = deno();
  const { permissions: given, denoArgs, transport } = resolveRuntimeOptions(options.runtimeOptions);
  const { child, socket } = startChild(api, options, given, denoArgs, transport);

  const stdin = child.stdin.getWriter();
  const toChild = frameWriter((bytes) => stdin.write(bytes), "turn");
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
      toChild.send(encodeFrame(message));
    },
    stop: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
    setKeepAlive: (value) => {
      if (value === keepAlive) return;
      keepAlive = value;
      if (value) child.ref();
      else child.unref();
      socket?.setKeepAlive(value);
    },
  });

  let decodeError: unknown;
  const reader = new FrameReader(
    V8_FRAMES,
    control.deliver,
    // What a task prints between frames goes to this process's stdout, as with Node's inherited stdout.
    (text) => {
      for (let written = 0; written < text.length; ) written += api.stdout.writeSync(text.subarray(written));
    },
  );
  let stdout: ReadableStreamBYOBReader | undefined;
  const readChunk = socket ? readFromSocket(socket) : readFromPipe((stdout = child.stdout.getReader({ mode: "byob" })));
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
    // A child that exited without connecting never will: stop waiting for it.
    socket?.close();
    // Results the child wrote before it exited must reach the caller before its exit does.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([readAll, new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_AFTER_EXIT_MS)))]);
    clearTimeout(timer);
    // Release the pipes and the socket: a pool that outlives many workers must not keep them per worker.
    await stdout?.cancel().catch(() => undefined);
    try {
      socket?.connection?.close();
    } catch {
      // Closed already.
    }
    await stdin.close().catch(() => undefined);
    control.exited({
      code: status.signal ? null : status.code,
      signal: status.signal,
      ...(decodeError === undefined ? {} : { error: decodeError }),
    });
  });
  return control.endpoint;
}

/** Reads the child's stdout, where frames and printed text arrive together. */
function readFromPipe(stdout: ReadableStreamBYOBReader): () => Promise<Uint8Array | undefined> {
  // A BYOB reader into a buffer of our own: a default reader's read took about 0.45 ms even with
  // the pipe full (0.06–0.1 ms this way), and a child with more to send waits that long.
  let buffer = new ArrayBuffer(READ_BUFFER_BYTES);
  return async () => {
    const { value, done } = await stdout.read(new Uint8Array(buffer));
    if (done || !value) return undefined;
    // The read took the buffer (transferred) and hands it back: the next read reuses it.
    buffer = value.buffer as ArrayBuffer;
    return value;
  };
}

/** Reads the child's frames from the socket, once it has connected; nothing if it never does. */
function readFromSocket(socket: FrameSocket): () => Promise<Uint8Array | undefined> {
  const buffer = new Uint8Array(READ_BUFFER_BYTES);
  let conn: Promise<DenoConn | undefined> | undefined;
  return async () => {
    conn ??= socket.accept().catch(() => undefined);
    const open = await conn;
    // A read after the connection broke (the child was killed) ends the stream like its end.
    const read = open ? await open.read(buffer).catch(() => null) : null;
    return read === null ? undefined : buffer.subarray(0, read);
  };
}

/** Starts the `deno run` child with exactly these permissions, told where its frames go. */
function spawnChild(
  api: ReturnType<typeof deno>,
  options: StartOptions,
  permissions: ResolvedPermissions,
  denoArgs: readonly string[],
  socket: FrameSocket | undefined,
): DenoChildProcess {
  const maxHeapMb = options.resourceLimits?.maxHeapMb;
  const args = [
    "run",
    // A worker must never stop to ask a terminal for more; what it lacks is denied.
    "--no-prompt",
    // Many children starting at once must not race to rewrite the project's deno.lock.
    "--no-lock",
    ...permissionFlags(permissions),
    ...(maxHeapMb ? [`--v8-flags=--max-old-space-size=${maxHeapMb}`] : []),
    ...moduleFlags(denoArgs, options.module),
    ...denoArgs,
    bootstrapModule(ENTRY, options.module, socket ? { path: socket.path, parent: api.pid } : undefined, FROM_NPM_CACHE),
  ];
  return new api.Command(api.execPath(), {
    args,
    stdin: "piped",
    // With a socket for the frames, stdout is only what tasks print: theirs to write, as with
    // Node's inherited stdout.
    stdout: socket ? "inherit" : "piped",
    stderr: options.stderr === "ignore" ? "null" : "inherit",
    ...(options.env ? { env: { ...options.env } } : {}),
  }).spawn();
}
