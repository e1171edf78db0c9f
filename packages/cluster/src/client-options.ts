/**
 * The options and stats of a {@link ClusterPool}, and their checks: every bad option is refused
 * with InvalidArgumentError when the pool is made, every bad task option when the task is.
 */
import { InvalidArgumentError } from "@weft/core";
import { checkMaxQueue } from "@weft/core/transport";
import { DEFAULT_CONNECT_TIMEOUT_MS, redisOptions, type RedisTarget as Target } from "./connection.js";
import type { JobLostError, RedisUnavailableError, PayloadTooLargeError } from "./errors.js";
import type { ModuleSpecifier } from "@weft/core";
import type { RedisOptions } from "ioredis";
import { maxPayloadOption } from "./payload.js";
import { DEFAULT_QUEUE, moduleName } from "./protocol.js";

export interface ClusterPoolOptions {
  /** Where Redis is: `"redis://127.0.0.1:6379"`, or ioredis options. */
  readonly redis: Target;
  /**
   * The task module, as the worker nodes know it: its name (`"tasks"`), or its URL/path, whose
   * base name without extension is the name (`new URL("./tasks.js", import.meta.url)` → "tasks").
   * The client never loads it; the nodes were started with it.
   */
  readonly module: ModuleSpecifier;
  /** BullMQ queue name; nodes must use the same one. Default "weft". */
  readonly queue?: string;
  /** BullMQ key prefix. Default "bull" (BullMQ's own default). */
  readonly prefix?: string;
  /**
   * How many tasks the cluster runs at once, as far as this client should plan: `map` sizes its
   * chunks from it (about four per slot, as Python does) and `imap` keeps twice as many in flight.
   * It limits nothing (see `maxQueue` for that). Default 8.
   */
  readonly size?: number;
  /**
   * Most of this client's jobs not yet known to be running — submitted and unsettled, and not
   * reported started by a node (waiting in the queue in Redis, or on their way there or to a
   * node; a node reports a job started once it has run a few ms, so a short job may count until
   * it settles; a job once reported started stays counted as running even if BullMQ moves it back
   * to the queue after its node died). Beyond it `submit` rejects with QueueFullError (await `pool.ready()`, or watch
   * `needsDrain` and the "drain" event, to stay under it), as on a local Pool. It counts only this
   * client's jobs, not other clients' on the same queue. Default Infinity. `"auto"` is size² (at
   * least 16), as on a local Pool.
   */
  readonly maxQueue?: number | "auto";
  /** Default run timeout (ms) of each task, counted on the node from when it starts running. */
  readonly taskTimeout?: number;
  /** Append the caller's stack to errors that come back from the nodes. Default true. */
  readonly captureCallerStack?: boolean;
  /**
   * Keep finished jobs in Redis this long (s), for dashboards (their arguments and state; results
   * travel only to the client). By default a completed job is removed as it completes and a
   * failed one once its error reached this client, so Redis holds nothing of finished work.
   */
  readonly keepFinishedFor?: number;
  /**
   * Every this many ms, every job pending longer than that is looked up in Redis, in case its
   * outcome will never reach this client's results stream: a job gone from Redis (or finished
   * there with no result on its way) rejects with {@link JobLostError} once two look-ups in a row
   * found it so, within about three times this interval; a job BullMQ failed for stalling too
   * often rejects with JobStalledError. Default 5000.
   */
  readonly reconcileInterval?: number;
  /**
   * How long (ms) the client waits for Redis: `ready()`, and every task submitted before it,
   * reject with {@link RedisUnavailableError} if Redis cannot be reached (refused, unreachable,
   * untrusted TLS certificate, wrong password) within this time from `new ClusterPool`; later,
   * tasks waiting while Redis has not answered for this long reject with it too. `Infinity`
   * waits for ever. Default 10000.
   */
  readonly connectTimeout?: number;
  /**
   * Largest encoded argument list and result of one task, in bytes (the UTF-8 JSON stored in
   * Redis). Arguments over it are refused at submit, results over it on the node; either way the
   * task rejects with {@link PayloadTooLargeError}. The nodes have a limit of their own
   * (`maxPayloadBytes`, `--max-payload-bytes`); a result must fit both. `Infinity`: no limit.
   * Default 16 MiB.
   */
  readonly maxPayloadBytes?: number;
  /**
   * How long (ms) this client's lease in Redis lasts without renewal (its heartbeat renews it
   * about every second). A node that takes a job whose client's lease is gone (the client died,
   * or was terminated or closed) drops it without running it; jobs already running when their
   * client died run to completion, and their results expire unread. Default 30000.
   */
  readonly leaseDuration?: number;
}

/** Options of one task. */
export interface ClusterTaskOptions {
  /** Aborting it cancels the task: a queued job is removed and never runs; a running one sees its AbortSignal fire on its node. */
  readonly signal?: AbortSignal;
  /** Run timeout in ms, counted on the node from when the task starts running. */
  readonly timeout?: number;
  /**
   * Called with each value the task reports (`currentTask().progress(value)`), in order, all
   * before the task settles; as on a local pool, a task's first 100 values all come, then at most
   * one per 16 ms (the latest). A callback that throws is the pool's "error" event
   * (`detail: { source: "onProgress", error, id }`). Without it, the node drops the values.
   */
  onProgress?(value: unknown): void;
}

/** Options of `map` and `starmap`. */
export interface ClusterMapOptions extends Omit<ClusterTaskOptions, "onProgress"> {
  /** Called each time a job of the map completes, with the items done so far out of the total (as a local pool's map). */
  onProgress?(progress: { readonly done: number; readonly total: number | undefined }): void;
  /** Items per job. Default: about four jobs per {@link ClusterPoolOptions.size} slot. */
  readonly chunksize?: number;
}

/** Options of `imap` and `imapUnordered`. */
export interface ClusterImapOptions extends ClusterMapOptions {
  /** Most jobs submitted and not yet consumed. Default: twice the pool's size. */
  readonly buffer?: number;
}

/** What the client has seen of its own jobs. */
export interface ClusterPoolStats {
  readonly queue: string;
  readonly size: number;
  /** Submitted, not yet reported started by a node, not settled: what `maxQueue` limits. */
  readonly queued: number;
  /** Started on a node, not yet settled. */
  readonly running: number;
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
  /** Jobs a node lost (killed, hung) that BullMQ's stalled-job check put back in the queue. */
  readonly stalled: number;
}

/**
 * The events a cluster pool dispatches; each a CustomEvent with `detail` `{ id }` (the BullMQ job
 * id), and `error` on failures — except "drain" (no detail): `needsDrain` fell back to false.
 */
export type ClusterPoolEventType = "queued" | "running" | "completed" | "failed" | "cancelled" | "stalled" | "drain" | "error";

export const POOL_KEYS = ["redis", "module", "queue", "prefix", "size", "maxQueue", "taskTimeout", "captureCallerStack", "keepFinishedFor", "reconcileInterval", "connectTimeout", "maxPayloadBytes", "leaseDuration"];
export const TASK_KEYS = ["signal", "timeout", "onProgress"];
/** Longest pause between two heartbeats (ms); shorter when connectTimeout is short, so an outage is noticed within about a quarter of it. */
const MAX_HEARTBEAT_MS = 1000;
/** How long BullMQ keeps a failed job nobody removed (its client went away first), in s. */
const UNCLAIMED_JOB_AGE_S = 3600;
/** Shortest lease: several heartbeats must fit in it. */
const MIN_LEASE_MS = 1000;

export function checkKeys(options: object | undefined, known: readonly string[], what: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object") throw new InvalidArgumentError(`${what} must be an object; got ${options === null ? "null" : typeof options}.`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new InvalidArgumentError(`Unknown ${what} key "${key}". Known keys: ${known.join(", ")}.`);
  }
}

export function checkPositive(value: unknown, what: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || Number.isNaN(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new InvalidArgumentError(`${what} must be a positive ${integer ? "integer" : "number"}; got ${String(value)}.`);
  }
  return value;
}


/** A pool's options, checked, with their defaults. */
export interface PoolSettings {
  readonly connection: RedisOptions;
  readonly module: string;
  readonly queue: string;
  readonly prefix: string;
  readonly size: number;
  /** maxQueue, resolved ("auto" → a number; Infinity when left out). */
  readonly maxQueue: number;
  readonly taskTimeout: number | undefined;
  readonly captureCallerStack: boolean;
  /** How long BullMQ keeps finished jobs (s); undefined: removed once delivered. */
  readonly keepFinishedFor: number | undefined;
  /** BullMQ's removeOnComplete and removeOnFail for each job. */
  readonly removeOnComplete: true | { readonly age: number };
  readonly removeOnFail: { readonly age: number };
  readonly reconcileInterval: number;
  readonly connectTimeout: number;
  readonly maxPayloadBytes: number;
  readonly leaseDuration: number;
  /** The heartbeat's period (ms): renews the lease, and notices a silent Redis within about a quarter of connectTimeout. */
  readonly heartbeatMs: number;
}

/** Checks `options`; throws InvalidArgumentError on the first bad one. */
export function poolSettings(options: ClusterPoolOptions): PoolSettings {
  if (options === null || typeof options !== "object") {
    throw new InvalidArgumentError(`ClusterPool needs options: { redis: "redis://host:6379", module: "tasks" }; got ${options === null ? "null" : typeof options}.`);
  }
  checkKeys(options, POOL_KEYS, "ClusterPool options");
  if (options.module === undefined) throw new InvalidArgumentError('ClusterPool needs a module: the name the worker nodes know it by ("tasks"), or its URL.');
  if (typeof options.module !== "string" && !(options.module instanceof URL)) throw new InvalidArgumentError("ClusterPool module must be a string or a URL.");
  const keepFinishedFor = checkPositive(options.keepFinishedFor, "keepFinishedFor", true);
  const connectTimeout = checkPositive(options.connectTimeout, "connectTimeout", false) ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const leaseDuration = checkPositive(options.leaseDuration, "leaseDuration", true) ?? 30_000;
  if (leaseDuration < MIN_LEASE_MS) throw new InvalidArgumentError(`leaseDuration must be at least ${MIN_LEASE_MS} ms; got ${leaseDuration}.`);
  const size = checkPositive(options.size, "ClusterPool size", true) ?? 8;
  return {
    connection: redisOptions(options.redis),
    module: moduleName(options.module),
    queue: options.queue ?? DEFAULT_QUEUE,
    prefix: options.prefix ?? "bull",
    size,
    maxQueue: checkMaxQueue(options.maxQueue, size),
    taskTimeout: checkPositive(options.taskTimeout, "taskTimeout", false),
    captureCallerStack: options.captureCallerStack ?? true,
    keepFinishedFor,
    removeOnComplete: keepFinishedFor === undefined ? true : { age: keepFinishedFor },
    removeOnFail: { age: keepFinishedFor ?? UNCLAIMED_JOB_AGE_S },
    reconcileInterval: checkPositive(options.reconcileInterval, "reconcileInterval", false) ?? 5000,
    connectTimeout,
    maxPayloadBytes: maxPayloadOption(options.maxPayloadBytes, "ClusterPool maxPayloadBytes"),
    leaseDuration,
    heartbeatMs: Math.max(50, Math.min(MAX_HEARTBEAT_MS, connectTimeout / 4, leaseDuration / 4)),
  };
}
