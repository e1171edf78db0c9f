/**
 * Starts a real redis-server (Debian's `redis-server` package) for tests and benchmarks: on a
 * free port of 127.0.0.1, in a temporary folder, with append-only persistence so that a restart
 * loses no acknowledged write (or without, to test what a restart that loses everything does).
 * Never a mock.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** The data folder (appendonly files live here). */
  readonly dir: string;
  /** The TLS port's URL, `rediss://127.0.0.1:<port>`, when started with `tls`. */
  readonly tlsUrl: string | undefined;
  /**
   * Kills the server (SIGKILL when `hard`, as a crash; SIGTERM otherwise) and starts it again on
   * the same port and data; with `from`, on the append-only files of that {@link snapshot}
   * instead, as after a crash that lost the writes not yet on disk.
   */
  restart(options?: { hard?: boolean; downMs?: number; from?: string }): Promise<void>;
  /** Copies the append-only files as they are now; returns the copy's folder, for `restart({ from })`. */
  snapshot(): string;
  /** Kills the server (SIGKILL) and leaves it down; `restart` brings it back. */
  kill(): Promise<void>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  readonly binary?: string;
  /** "always" (default): nothing acknowledged is lost in a crash; "everysec": up to a second may be. */
  readonly fsync?: "always" | "everysec";
  /** false: no persistence at all, so every restart starts empty. Default true. */
  readonly appendonly?: boolean;
  /** `requirepass`: clients must give this password. */
  readonly password?: string;
  /**
   * Also listen with TLS on a second port, with this certificate and key (PEM files). With
   * `clientCaFile`, clients must present a certificate signed by that CA (`tls-auth-clients
   * yes`); without, they are not asked for one.
   */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly clientCaFile?: string };
}

/** Why redis-server cannot run here, or undefined if it can. */
export async function redisServerMissing(binary = "redis-server"): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(binary, ["--version"], { stdio: "ignore" });
    child.on("error", () => resolve(`${binary} is not installed (Debian: apt-get install -y redis-server)`));
    child.on("exit", (code) => resolve(code === 0 ? undefined : `${binary} --version exited with ${code}`));
  });
}

/** A TCP port free on loopback now (taken, then released): where nothing listens until someone binds it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("error", () => resolve(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      // A server that wants a password is up all the same.
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Starts redis-server; the promise resolves when it answers PING. `fsync` defaults to "always". */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? "redis-server";
  const missing = await redisServerMissing(binary);
  if (missing) throw new Error(`Cannot start Redis for the cluster tests: ${missing}.`);
  const dir = mkdtempSync(join(tmpdir(), "weft-redis-"));
  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : undefined;
  const aof = join(dir, "appendonlydir");
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(binary, [
      "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "",
      // "always": every write is in the append-only file before Redis answers it, so even a crash
      // (SIGKILL) of Redis loses nothing acknowledged. "everysec" may lose the last second.
      ...(options.appendonly === false ? ["--appendonly", "no"] : ["--appendonly", "yes", "--appendfsync", options.fsync ?? "always"]),
      ...(options.password !== undefined ? ["--requirepass", options.password] : []),
      ...(options.tls && tlsPort ? ["--tls-port", String(tlsPort), "--tls-cert-file", options.tls.certFile, "--tls-key-file", options.tls.keyFile, ...(options.tls.clientCaFile ? ["--tls-ca-cert-file", options.tls.clientCaFile, "--tls-auth-clients", "yes"] : ["--tls-auth-clients", "no"])] : []),
      "--maxmemory-policy", "noeviction", "--daemonize", "no", "--logfile", join(dir, "redis.log"),
    ], { stdio: "ignore" });
    const started = performance.now();
    while (!(await answersPing(port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} on port ${port}; see ${join(dir, "redis.log")}`);
      if (performance.now() - started > 20_000) throw new Error(`redis-server did not answer on port ${port} within 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  await launch();
  let snapshots = 0;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    tlsUrl: tlsPort ? `rediss://127.0.0.1:${tlsPort}` : undefined,
    async restart({ hard = true, downMs = 300, from } = {}) {
      child.kill(hard ? "SIGKILL" : "SIGTERM");
      await exited(child);
      if (from !== undefined) {
        rmSync(aof, { recursive: true, force: true });
        cpSync(from, aof, { recursive: true });
      }
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await launch();
    },
    snapshot() {
      // Copied while Redis writes: the last command may be cut short, which Redis loads as a
      // crash would leave it (aof-load-truncated).
      const copy = join(dir, `snapshot-${++snapshots}`);
      cpSync(aof, copy, { recursive: true });
      return copy;
    },
    async kill() {
      child.kill("SIGKILL");
      await exited(child);
    },
    async stop() {
      child.kill("SIGTERM");
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
