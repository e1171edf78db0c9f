/** One way to say where Redis is, turned into what BullMQ and ioredis take. */
import { Redis, type RedisOptions } from "ioredis";
import { InvalidArgumentError } from "@weft/core";

/** A `redis://[user:password@]host:port[/db]` URL, or ioredis options. */
export type RedisTarget = string | URL | RedisOptions;

/** ioredis options for `target`. Commands wait through a reconnect instead of failing (a Redis restart loses nothing). */
export function redisOptions(target: RedisTarget): RedisOptions {
  if (typeof target !== "string" && !(target instanceof URL)) {
    if (target === null || typeof target !== "object") {
      throw new InvalidArgumentError(`redis must be a URL such as "redis://127.0.0.1:6379" or ioredis options; got ${target === null ? "null" : typeof target}.`);
    }
    return { maxRetriesPerRequest: null, ...target };
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
  };
}

/** A plain Redis connection beside BullMQ's (for cancellation records and their channel). */
export function connect(options: RedisOptions): Redis {
  return new Redis(options);
}
