/**
 * Where Redis is, turned into what BullMQ and ioredis take; and the two things every connection
 * of a client or node needs: waiting for it with a deadline, and letting go of it within a bound
 * whatever Redis does.
 */
import { Redis, type RedisOptions } from "ioredis";
import { InvalidArgumentError } from "@weft/core";
import { RedisUnavailableError } from "./errors.js";

/** A `redis://[user:password@]host:port[/db]` URL (`rediss://` for TLS), or ioredis options. */
export type RedisTarget = string | URL | RedisOptions;

/** How long a client or node waits for Redis by default (ms) before it says Redis is unavailable. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** How long a polite QUIT may take before the connection is dropped (ms). */
const QUIT_GRACE_MS = 2_000;

/** ioredis options for `target`. Commands wait through a reconnect instead of failing (a Redis restart loses nothing). */
export function redisOptions(target: RedisTarget): RedisOptions {
  if (typeof target !== "string" && !(target instanceof URL)) {
    if (target === null || typeof target !== "object") {
      throw new InvalidArgumentError(`redis must be a URL such as "redis://127.0.0.1:6379" or ioredis options; got ${target === null ? "null" : typeof target}.`);
    }
    const guarded = target.Connector === undefined && target.sentinels === undefined ? { Connector: guardedConnector() } : {};
    return { maxRetriesPerRequest: null, ...guarded, ...target };
  }
  let url: URL;
  try {
    url = new URL(String(target));
  } catch {
    throw new InvalidArgumentError(`redis must be a URL such as "redis://127.0.0.1:6379"; got ${JSON.stringify(String(target))}.`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new InvalidArgumentError(`redis URL must start with redis:// or rediss://; got ${JSON.stringify(url.href)}.`);
  }
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 6379,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(Number.isInteger(db) ? { db } : {}),
    ...(url.protocol === "rediss:" ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    Connector: guardedConnector(),
  };
}

type ConnectorConstructor = NonNullable<RedisOptions["Connector"]>;
let guarded: ConnectorConstructor | undefined;

/**
 * ioredis's own connector, with a socket that may report errors more than once. ioredis listens
 * for a socket's first error only; a TLS socket can report a second one (a handshake refused,
 * then the peer's alert), and an error nobody listens for ends the whole process — the host's,
 * for a pool pointed at a Redis whose certificate it does not trust. ioredis still sees the first
 * error and reconnects or gives up as before; later ones are dropped, since the socket is gone.
 */
function guardedConnector(): ConnectorConstructor {
  if (guarded) return guarded;
  // ioredis exports no standalone connector; the class of a connection's own is that.
  const probe = new Redis({ lazyConnect: true });
  const Standalone = (probe as unknown as { connector: { constructor: ConnectorConstructor } }).connector.constructor;
  probe.disconnect();
  type Stream = { on(event: "error", listener: () => void): unknown };
  class GuardedConnector extends (Standalone as unknown as new (options: unknown) => { connect(callback: unknown): Promise<Stream> }) {
    override async connect(callback: unknown): Promise<Stream> {
      const stream = await super.connect(callback);
      stream.on("error", () => undefined);
      return stream;
    }
  }
  guarded = GuardedConnector as unknown as ConnectorConstructor;
  return guarded;
}

/** Where `options` point, for messages: `rediss://host:port`, never the password. */
export function describeTarget(options: RedisOptions): string {
  if (options.path) return `redis+unix://${options.path}`;
  return `${options.tls ? "rediss" : "redis"}://${options.host ?? "127.0.0.1"}:${options.port ?? 6379}`;
}

/** A plain Redis connection. Its last error is kept, so that a timeout can say why Redis was unreachable. */
export function connect(options: RedisOptions): Redis {
  const redis = new Redis(options);
  redis.on("error", (error: unknown) => lastErrors.set(redis, error));
  return redis;
}

const lastErrors = new WeakMap<Redis, unknown>();

/** The last error a connection made by {@link connect} reported, if any. */
export function lastError(redis: Redis): unknown {
  return lastErrors.get(redis);
}

/**
 * Resolves when `until` does; rejects with RedisUnavailableError after `timeoutMs` ms, its cause
 * the last error any of `connections` reported (refused, TLS certificate, authentication…).
 */
export async function withinConnectTimeout<T>(until: Promise<T>, connections: readonly Redis[], options: RedisOptions, timeoutMs: number, who: string, signal?: AbortSignal): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<never>((_, reject) => {
    // Given up by its owner (closed before it connected): no timer may keep the process alive.
    onAbort = () => reject(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (timeoutMs === Infinity) return;
    timer = setTimeout(() => {
      const cause = connections.map(lastError).find((error) => error !== undefined);
      const why = cause instanceof Error ? `: ${cause.message}` : " (no answer)";
      reject(new RedisUnavailableError(`${who} could not reach Redis at ${describeTarget(options)} within ${timeoutMs} ms${why}. Check that Redis runs there, the address and port, the password, and TLS (CA certificate); or raise connectTimeout.`, timeoutMs, cause === undefined ? undefined : { cause }));
    }, timeoutMs);
  });
  const started = performance.now();
  const refused = until.catch((error: unknown) => {
    const refusal = refusalOf(error);
    if (refusal === undefined) throw error;
    throw new RedisUnavailableError(`${who} was refused by Redis at ${describeTarget(options)}: ${refusal}. ${refusalAdvice(refusal)}`, Math.round(performance.now() - started), { cause: error });
  });
  try {
    return await Promise.race([refused, deadline]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Redis's refusal in `error`, if it is one: a user without the permission (NOPERM, or its form
 * inside a script), a wrong or
 * missing password (WRONGPASS, NOAUTH). A refused command inside MULTI shows only as EXECABORT;
 * ioredis keeps the refusals that caused it in `previousErrors`.
 */
export function refusalOf(error: unknown): string | undefined {
  const messages = [error, ...((error as { previousErrors?: unknown[] } | null)?.previousErrors ?? [])]
    .map((each) => (each instanceof Error ? each.message : typeof each === "string" ? each : ""));
  // Inside a script (BullMQ's), a refused command shows as "ERR The user executing the script can't run this command…".
  return messages.find((message) => /^(NOPERM|WRONGPASS|NOAUTH)\b|^ERR The user executing the script can't run/.test(message));
}

function refusalAdvice(refusal: string): string {
  return refusal.startsWith("NOPERM") || refusal.includes("can't run")
    ? "The Redis user lacks a key, channel or command that a cluster client or node needs: see the ACL in @weft/cluster's README (\"Who can do what\")"
    : "Check the user name and password";
}

/** Resolves when `redis` is ready (connected, authenticated, data loaded). */
export function whenReady(redis: Redis): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve) => redis.once("ready", () => resolve()));
}

/** Settles with `promise`, or with "late" after `ms`; never rejects. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | "late"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), ms)));
  try {
    return await Promise.race([promise.catch(() => undefined as T), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes a connection: QUIT if Redis answers soon, else drop it. Either way it stops
 * reconnecting, so it no longer keeps the process alive. Resolves within about two seconds.
 */
export async function release(redis: Redis): Promise<void> {
  if (redis.status === "ready") await within(redis.quit(), QUIT_GRACE_MS);
  if (redis.status !== "end") redis.disconnect();
}
