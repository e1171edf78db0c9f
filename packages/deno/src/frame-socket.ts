/**
 * The Unix socket a process worker sends its frames through, when this process may open one.
 *
 * A `deno run` child has only pipes to its parent (Deno.Command: stdin, stdout, stderr), and a
 * Linux pipe holds 64 KB: a child sending faster than its parent reads blocks on a full pipe
 * while the parent is busy. A Unix socket buffers about 208 KB, so the child keeps working
 * (figures in the package README, "Process transport").
 *
 * The socket lives in a private temporary folder (mode 0700) that is removed as soon as the
 * child has connected, or when it exits without connecting, its start fails or this process
 * exits first. This process listens only once the child exists, and the child removes the
 * socket's file as soon as it has connected or found nobody listening: a host killed outright
 * (SIGKILL), which removes nothing, leaves at most the empty folder. Opening it needs read,
 * write and net permission, so `transport: "auto"` uses it only where this process has all
 * three for everything (`-A`, or `--allow-read --allow-write --allow-net`); the child is given
 * access to that one path and nothing else.
 */
import { type DenoConn, type DenoListener, deno } from "./deno-api.js";
import type { ResolvedPermissions } from "./runtime-options.js";

/** Longer paths do not fit a Unix socket address (108 bytes on Linux, 104 on macOS). */
const MAX_SOCKET_PATH = 100;

/** Sockets still waiting for their child: closed if this process exits first (no folder left behind). */
const waiting = new Set<() => void>();
let closesOnUnload = false;
function closeOnUnload(close: () => void): void {
  waiting.add(close);
  if (closesOnUnload) return;
  closesOnUnload = true;
  globalThis.addEventListener("unload", () => {
    for (const pending of [...waiting]) pending();
  });
}

export interface FrameSocket {
  readonly path: string;
  /**
   * Starts listening; call it once the child that connects exists (see above). Returns why it
   * could not, having closed the socket, or undefined.
   */
  listen(): string | undefined;
  /** The child's connection; rejects once {@link close} was called before it came, or when {@link listen} failed. */
  accept(): Promise<DenoConn>;
  /** The connection `accept` gave, once it has. */
  readonly connection: DenoConn | undefined;
  /** Stops listening and removes the folder; safe to call more than once. */
  close(): void;
  /** Whether the listener, then the connection, keep this process alive (Deno's ref/unref). */
  setKeepAlive(value: boolean): void;
}

/** Why this process cannot open a frame socket, or undefined when it can. */
function socketUnavailable(): string | undefined {
  const api = deno();
  if (api.build.os === "windows") return "Deno on Windows has no Unix sockets";
  const missing = (["read", "write", "net"] as const).filter((name) => api.permissions.querySync({ name }).state !== "granted");
  if (missing.length > 0) return `this process lacks ${missing.map((name) => `--allow-${name}`).join(", ")} (the socket needs all three)`;
  return undefined;
}

/**
 * A socket's path in a new private folder, ready to {@link FrameSocket.listen}, or
 * `{ unavailable }` saying why there is none (a permission this process lacks, no temporary
 * folder to be had, a path too long for a socket address or that a permission flag cannot carry).
 */
export function openFrameSocket(): FrameSocket | { unavailable: string } {
  const unavailable = socketUnavailable();
  if (unavailable !== undefined) return { unavailable };
  const api = deno();
  let folder: string;
  try {
    folder = api.makeTempDirSync({ prefix: "weft-" });
  } catch (error) {
    return { unavailable: `no temporary folder could be made for the socket (${String(error)})` };
  }
  const removeFolder = () => {
    try {
      api.removeSync(folder, { recursive: true });
    } catch {
      // Already gone.
    }
  };
  const path = `${folder}/frames.sock`;
  if (path.length > MAX_SOCKET_PATH || path.includes(",")) {
    removeFolder();
    return { unavailable: `the socket path ${JSON.stringify(path)} is too long for a Unix socket or holds a comma` };
  }
  let listener: DenoListener | undefined;
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    waiting.delete(close);
    try {
      listener?.close();
    } catch {
      // Closed already.
    }
    removeFolder();
  };
  closeOnUnload(close);
  let connection: DenoConn | undefined;
  let keepAlive = true;
  const keep = (handle: DenoConn | DenoListener) => (keepAlive ? handle.ref() : handle.unref());
  return {
    path,
    listen: () => {
      if (!open) return `the socket ${path} was closed before it listened`;
      try {
        listener = api.listen({ transport: "unix", path });
      } catch (error) {
        close();
        return `listening on ${path} failed (${String(error)})`;
      }
      if (!keepAlive) keep(listener);
      return undefined;
    },
    accept: async () => {
      try {
        if (!listener || !open) throw new Error(`the socket ${path} is not listening`);
        connection = await listener.accept();
      } finally {
        // One connection only: nobody else may connect, and nothing stays on disk.
        close();
      }
      if (!keepAlive) keep(connection);
      return connection;
    },
    get connection() {
      return connection;
    },
    close,
    setKeepAlive: (value) => {
      keepAlive = value;
      if (open && listener) keep(listener);
      if (connection) keep(connection);
    },
  };
}

/** The child's permissions plus access to the socket path alone (what Deno.connect checks). */
export function withSocketAccess(permissions: ResolvedPermissions, path: string): ResolvedPermissions {
  // "inherit" hands on read, write and net in full: this process has them, or it has no socket.
  if (permissions === "inherit") return permissions;
  const add = (value: false | true | readonly string[], item: string) => (value === true ? true : [...(value || []), item]);
  return { ...permissions, read: add(permissions.read, path), write: add(permissions.write, path), net: add(permissions.net, `unix:${path}`) };
}
