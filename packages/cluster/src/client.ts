/**
 * ClusterPool: a Pool whose workers are other machines. Jobs go into a BullMQ queue in Redis;
 * worker nodes (see worker.ts) take them and run each on their own local weft Pool; results and
 * errors come back through BullMQ's queue events.
 */
import { Job, Queue, QueueEvents, type ConnectionOptions } from "bullmq";
import type { Redis } from "ioredis";
import {
  Future,
  abortReasonToError,
  imapChunks,
  mapChunks,
  InvalidArgumentError,
  PoolClosedError,
  deserializeError,
  type ListenerOptions,
  type ModuleSpecifier,
  type PoolListener,
  type SerializedError,
  type TaskArgs,
  type TaskName,
  type TaskResult,
} from "@weft/core";
import { decodeValue, encodeValue } from "./codec.js";
import { connect, redisOptions, type RedisTarget } from "./connection.js";
import { InlineTaskError } from "./errors.js";
import { CANCEL_RECORD_TTL_S, DEFAULT_QUEUE, cancelChannel, cancelKey, moduleName, type JobData } from "./protocol.js";

/** Options of a {@link ClusterPool}. */
export interface ClusterPoolOptions {
  /** Where Redis is: `"redis://127.0.0.1:6379"`, or ioredis options. */
  readonly redis: RedisTarget;
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
   * It limits nothing. Default 8.
   */
  readonly size?: number;
  /** Default run timeout (ms) of each task, counted on the node from when it starts running. */
  readonly taskTimeout?: number;
  /** Append the caller's stack to errors that come back from the nodes. Default true. */
  readonly captureCallerStack?: boolean;
  /** Finished jobs stay in Redis this long (s), for dashboards and for {@link reconcileInterval}'s look-ups. Default 3600. */
  readonly keepFinishedFor?: number;
  /**
   * Every this many ms, jobs pending longer than that are looked up in Redis, in case their
   * completion event was missed (events trimmed from the stream, a Redis restart). Default 5000.
   */
  readonly reconcileInterval?: number;
}

/** Options of one task. */
export interface ClusterTaskOptions {
  /** Aborting it cancels the task: a queued job is removed and never runs; a running one sees its AbortSignal fire on its node. */
  readonly signal?: AbortSignal;
  /** Run timeout in ms, counted on the node from when the task starts running. */
  readonly timeout?: number;
}

/** Options of `map` and `starmap`. */
export interface ClusterMapOptions extends ClusterTaskOptions {
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
  /** Submitted, not yet started on a node (as far as the events tell). */
  readonly queued: number;
  /** Started on a node, not yet settled. */
  readonly running: number;
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
  /** Jobs a node lost (killed, hung) that BullMQ's stalled-job check put back in the queue. */
  readonly stalled: number;
}

/** The events a cluster pool dispatches; each a CustomEvent with `detail` `{ id }` (the BullMQ job id), and `error` on failures. */
export type ClusterPoolEventType = "queued" | "running" | "completed" | "failed" | "cancelled" | "stalled";

interface Pending {
  readonly id: string;
  readonly future: Future<unknown>;
  readonly callerSite: Error | undefined;
  readonly submittedAt: number;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  added: Promise<unknown>;
  running: boolean;
}

const POOL_KEYS = ["redis", "module", "queue", "prefix", "size", "taskTimeout", "captureCallerStack", "keepFinishedFor", "reconcileInterval"];
const TASK_KEYS = ["signal", "timeout"];
const RECONCILE_BATCH = 200;

function checkKeys(options: object | undefined, known: readonly string[], what: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object") throw new InvalidArgumentError(`${what} must be an object; got ${options === null ? "null" : typeof options}.`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new InvalidArgumentError(`Unknown ${what} key "${key}". Known keys: ${known.join(", ")}.`);
  }
}

function checkPositive(value: unknown, what: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || Number.isNaN(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new InvalidArgumentError(`${what} must be a positive ${integer ? "integer" : "number"}; got ${String(value)}.`);
  }
  return value;
}


/**
 * A pool whose workers are the nodes of a cluster: each task is a BullMQ job in Redis, run by
 * whichever worker node takes it, on that node's local weft Pool. Same surface as weft's `Pool`
 * (`apply`, `submit`, `map`, `starmap`, `imap`, `imapUnordered`, `close`, `terminate`, `stats`,
 * events), with tasks given by name only.
 *
 * Mirrors Python's `multiprocessing.Pool` the way Celery's or Dask's distributed executors do.
 * Differences from a local pool: execution is at least once (a node killed mid-task has its job
 * run again elsewhere, by BullMQ's stalled-job check); no inline functions, shared memory or
 * transferables; values cross as JSON with weft's tagged types (Map, Set, Date, BigInt, typed
 * arrays, errors…).
 *
 * @example
 * ```ts
 * await using pool = new ClusterPool<typeof import("./tasks.js")>({ redis: "redis://127.0.0.1:6379", module: "tasks" });
 * const primes = await pool.starmap("countPrimes", [[0, 1e6], [1e6, 2e6]]);
 * ```
 */
export class ClusterPool<M = Record<string, (...args: never[]) => unknown>> extends EventTarget {
  readonly size: number;
  readonly queueName: string;
  readonly module: string;
  readonly #prefix: string;
  readonly #taskTimeout: number | undefined;
  readonly #captureCallerStack: boolean;
  readonly #keepFinishedFor: number;
  readonly #queue: Queue;
  #events: QueueEvents | undefined;
  readonly #redis: Redis;
  readonly #ready: Promise<void>;
  readonly #pending = new Map<string, Pending>();
  readonly #clientId = `w${Math.random().toString(36).slice(2, 10)}`;
  readonly #reconcileTimer: ReturnType<typeof setInterval>;
  readonly #reconcileInterval: number;
  #nextJob = 1;
  #closing = false;
  #terminated = false;
  #closePromise: Promise<void> | undefined;
  #drainWaiters: (() => void)[] = [];
  #completed = 0;
  #failed = 0;
  #cancelled = 0;
  #stalled = 0;

  constructor(options: ClusterPoolOptions) {
    super();
    if (options === null || typeof options !== "object") {
      throw new InvalidArgumentError(`ClusterPool needs options: { redis: "redis://host:6379", module: "tasks" }; got ${options === null ? "null" : typeof options}.`);
    }
    checkKeys(options, POOL_KEYS, "ClusterPool options");
    if (options.module === undefined) throw new InvalidArgumentError('ClusterPool needs a module: the name the worker nodes know it by ("tasks"), or its URL.');
    if (typeof options.module !== "string" && !(options.module instanceof URL)) throw new InvalidArgumentError("ClusterPool module must be a string or a URL.");
    const connection = redisOptions(options.redis);
    const bullConnection = connection as ConnectionOptions;
    this.module = moduleName(options.module);
    this.queueName = options.queue ?? DEFAULT_QUEUE;
    this.#prefix = options.prefix ?? "bull";
    this.size = checkPositive(options.size, "ClusterPool size", true) ?? 8;
    this.#taskTimeout = checkPositive(options.taskTimeout, "taskTimeout", false);
    this.#captureCallerStack = options.captureCallerStack ?? true;
    this.#keepFinishedFor = checkPositive(options.keepFinishedFor, "keepFinishedFor", true) ?? 3600;
    this.#reconcileInterval = checkPositive(options.reconcileInterval, "reconcileInterval", false) ?? 5000;
    this.#queue = new Queue(this.queueName, { connection: bullConnection, prefix: this.#prefix });
    this.#redis = connect(connection);
    // Errors of the connections are retried by ioredis; without a listener they would be thrown.
    this.#queue.on("error", () => undefined);
    this.#redis.on("error", () => undefined);
    this.#ready = this.#listen(bullConnection);
    this.#ready.catch(() => undefined);
    this.#reconcileTimer = setInterval(() => void this.#reconcile(), this.#reconcileInterval);
    (this.#reconcileTimer as { unref?: () => void }).unref?.();
  }

  // ----- submitting -------------------------------------------------------------------------

  /** Runs one task on some node and returns its future (Python's `apply_async`). */
  submit<T extends TaskName<M>>(task: T, args: TaskArgs<M, T>, options?: ClusterTaskOptions): Future<TaskResult<M, T>> {
    return this.#submit(task, args as unknown as readonly unknown[], "call", options) as Future<TaskResult<M, T>>;
  }

  /** Runs one task; await it for the result (Python's `apply`). */
  apply<T extends TaskName<M>>(task: T, args: TaskArgs<M, T>, options?: ClusterTaskOptions): Future<TaskResult<M, T>> {
    return this.submit(task, args, options);
  }

  /**
   * Applies `task` to every item, one job per chunk, and resolves the results in input order
   * (Python's `map`). A node spreads a chunk over its own workers. If a chunk fails, the map
   * rejects with the first error in input order.
   */
  async map<T extends TaskName<M>>(task: T, items: Iterable<TaskArgs<M, T>[0]>, options?: ClusterMapOptions): Promise<TaskResult<M, T>[]> {
    return this.#mapChunks(task, items, "map", options) as Promise<TaskResult<M, T>[]>;
  }

  /** Like {@link map}, with each item an argument list spread into the call (Python's `starmap`). */
  async starmap<T extends TaskName<M>>(task: T, items: Iterable<TaskArgs<M, T>>, options?: ClusterMapOptions): Promise<TaskResult<M, T>[]> {
    return this.#mapChunks(task, items as Iterable<unknown>, "starmap", options) as Promise<TaskResult<M, T>[]>;
  }

  /** Lazily maps over a (possibly async, possibly endless) iterable, in input order (Python's `imap`); at most `buffer` jobs in flight. */
  imap<T extends TaskName<M>>(task: T, items: Iterable<TaskArgs<M, T>[0]> | AsyncIterable<TaskArgs<M, T>[0]>, options?: ClusterImapOptions): AsyncGenerator<TaskResult<M, T>, void, undefined> {
    return this.#imap(task, items, true, options) as AsyncGenerator<TaskResult<M, T>, void, undefined>;
  }

  /** Like {@link imap}, yielding results as they complete (Python's `imap_unordered`). */
  imapUnordered<T extends TaskName<M>>(task: T, items: Iterable<TaskArgs<M, T>[0]> | AsyncIterable<TaskArgs<M, T>[0]>, options?: ClusterImapOptions): AsyncGenerator<TaskResult<M, T>, void, undefined> {
    return this.#imap(task, items, false, options) as AsyncGenerator<TaskResult<M, T>, void, undefined>;
  }

  /** Resolves once the client is connected and listening; rejects if the pool is closed. Submitting before it is fine (jobs wait for it). */
  ready(): Promise<void> {
    if (this.#closing) return Promise.reject(this.#closedError());
    return this.#ready;
  }

  // ----- closing ----------------------------------------------------------------------------

  /** Stops accepting tasks, waits until every submitted task has settled, then closes the Redis connections. */
  close(): Promise<void> {
    if (this.#closePromise) return this.#closePromise;
    this.#closing = true;
    this.#closePromise = this.#whenDrained().then(() => this.#disconnect());
    return this.#closePromise;
  }

  /** Cancels every unsettled task (they reject with PoolClosedError; queued jobs are removed, running ones aborted on their nodes), then closes. */
  async terminate(): Promise<void> {
    this.#closing = true;
    if (!this.#terminated) {
      this.#terminated = true;
      const error = new PoolClosedError("The cluster pool was terminated before this task finished.");
      await Promise.all([...this.#pending.values()].map((pending) => this.#cancel(pending, error)));
    }
    await (this.#closePromise ?? this.close());
  }

  /** `await using pool = new ClusterPool(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  get closed(): boolean {
    return this.#closing;
  }

  get stats(): ClusterPoolStats {
    let running = 0;
    for (const pending of this.#pending.values()) if (pending.running) running++;
    return {
      queue: this.queueName,
      size: this.size,
      queued: this.#pending.size - running,
      running,
      completed: this.#completed,
      failed: this.#failed,
      cancelled: this.#cancelled,
      stalled: this.#stalled,
    };
  }

  /** How many worker nodes are connected to the queue now (BullMQ's worker registry). */
  nodeCount(): Promise<number> {
    return this.#queue.getWorkersCount();
  }

  override addEventListener(type: ClusterPoolEventType, listener: PoolListener | null, options?: boolean | ListenerOptions): void;
  override addEventListener(type: string, listener: PoolListener | null, options?: boolean | ListenerOptions): void {
    super.addEventListener(type, listener as never, options as never);
  }

  /**
   * Reads the queue's event stream from its current end, found before any job of this client is
   * added: a job that finishes before the listener's first read is still seen.
   */
  async #listen(connection: ConnectionOptions): Promise<void> {
    const [last] = await this.#redis.xrevrange(`${this.#prefix}:${this.queueName}:events`, "+", "-", "COUNT", 1);
    const events = new QueueEvents(this.queueName, { connection, prefix: this.#prefix, lastEventId: last?.[0] ?? "0-0" });
    this.#events = events;
    events.on("error", () => undefined);
    events.on("active", ({ jobId }) => this.#onActive(jobId));
    events.on("completed", ({ jobId, returnvalue }) => this.#onCompleted(jobId, returnvalue));
    events.on("failed", ({ jobId, failedReason }) => void this.#onFailed(jobId, failedReason));
    events.on("stalled", ({ jobId }) => {
      const pending = this.#pending.get(jobId);
      if (!pending) return;
      pending.running = false;
      this.#stalled++;
      this.#emit("stalled", jobId);
    });
    await events.waitUntilReady();
  }

  // ----- internals: submission ----------------------------------------------------------------

  #closedError(): PoolClosedError {
    return new PoolClosedError(this.#terminated ? "The cluster pool was terminated; create a new ClusterPool to run more tasks." : "The cluster pool is closed; create a new ClusterPool to run more tasks.");
  }

  #submit(task: unknown, args: readonly unknown[], mode: JobData["mode"], options: ClusterTaskOptions | undefined): Future<unknown> {
    const future = new Future<unknown>();
    try {
      checkKeys(options, TASK_KEYS, "task options");
      if (this.#closing) throw this.#closedError();
      if (typeof task === "function") {
        throw new InlineTaskError(
          `A cluster pool cannot run an inline function (${task.name ? `"${task.name}"` : "an anonymous function"}): no code travels over the queue. ` +
            `Export it from the task module "${this.module}", start the worker nodes with that module, and call it by name.`,
        );
      }
      if (typeof task !== "string" || task.length === 0) {
        throw new InvalidArgumentError(`A task is the name of a function exported by the task module "${this.module}"; got ${typeof task === "string" ? "an empty string" : typeof task}.`);
      }
      if (!Array.isArray(args)) throw new InvalidArgumentError(`Task arguments must be an array (the argument list); got ${args === null ? "null" : typeof args}. Use [] for none.`);
      const timeout = checkPositive(options?.timeout, "Task timeout", false) ?? this.#taskTimeout;
      const signal = options?.signal;
      if (signal !== undefined && !(signal instanceof AbortSignal)) throw new InvalidArgumentError("Task option signal must be an AbortSignal.");
      if (signal?.aborted) throw abortReasonToError(signal.reason);
      const data: JobData = { weft: 1, module: this.module, task, args: encodeValue(args, "args"), mode, ...(timeout !== undefined && timeout !== Infinity ? { timeout } : {}) };
      this.#enqueue(future, task, data, signal);
    } catch (error) {
      future._fail(error);
    }
    return future;
  }

  #enqueue(future: Future<unknown>, task: string, data: JobData, signal: AbortSignal | undefined): void {
    const id = `${this.#clientId}-${this.#nextJob++}`;
    const pending: Pending = {
      id,
      future,
      callerSite: this.#captureCallerStack ? new Error("caller") : undefined,
      submittedAt: performance.now(),
      signal,
      onAbort: undefined,
      added: Promise.resolve(),
      running: false,
    };
    this.#pending.set(id, pending);
    future._onCancel((reason) => void this.#cancel(pending, reason instanceof Error ? reason : abortReasonToError(reason)));
    if (signal) {
      pending.onAbort = () => void this.#cancel(pending, abortReasonToError(signal.reason));
      signal.addEventListener("abort", pending.onAbort, { once: true });
    }
    const keep = { age: this.#keepFinishedFor };
    pending.added = this.#ready
      .then(() => this.#queue.add(task, data, { jobId: id, attempts: 1, removeOnComplete: keep, removeOnFail: keep }))
      .catch((error: unknown) => {
        const why = error instanceof Error ? error.message : String(error);
        this.#settleFailure(pending, new PoolClosedError(`The job could not be added to the queue "${this.queueName}": ${why}`, { cause: error }), "failed");
      });
    this.#emit("queued", id);
  }

  #mapChunks(task: unknown, items: Iterable<unknown>, mode: "map" | "starmap", options: ClusterMapOptions | undefined): Promise<unknown[]> {
    return mapChunks((chunk, chunkOptions) => this.#submit(task, [chunk], mode, chunkOptions), items, this.size, options);
  }

  #imap(task: unknown, items: Iterable<unknown> | AsyncIterable<unknown>, ordered: boolean, options: ClusterImapOptions | undefined): AsyncGenerator<unknown, void, undefined> {
    return imapChunks((chunk, chunkOptions) => this.#submit(task, [chunk], "map", chunkOptions), items, ordered, this.size, options);
  }

  // ----- internals: outcomes -----------------------------------------------------------------

  #onActive(jobId: string): void {
    const pending = this.#pending.get(jobId);
    if (!pending || pending.running) return;
    pending.running = true;
    pending.future._markRunning();
    this.#emit("running", jobId);
  }

  #onCompleted(jobId: string, returnvalue: unknown): void {
    const pending = this.#pending.get(jobId);
    if (!pending) return;
    let value: unknown;
    try {
      // BullMQ parsed the JSON already; the tagged nodes are left to decode.
      value = decodeValue(returnvalue);
    } catch (error) {
      this.#settleFailure(pending, error, "failed");
      return;
    }
    this.#forget(pending);
    this.#completed++;
    pending.future._fulfil(value);
    this.#emit("completed", jobId);
  }

  async #onFailed(jobId: string, failedReason: string): Promise<void> {
    const pending = this.#pending.get(jobId);
    if (!pending) return;
    let encoded: unknown;
    try {
      encoded = ((await this.#queue.getJob(jobId))?.data as JobData | undefined)?.error;
    } catch {
      // Redis went away between the event and the look-up: the plain reason below still says what failed.
    }
    const error = encoded !== undefined
      ? deserializeError(decodeValue(encoded) as SerializedError, pending.callerSite?.stack)
      : new Error(failedReason);
    this.#settleFailure(pending, error, "failed");
  }

  /** Looks up jobs pending for long, in case their completion event never reached this client. */
  async #reconcile(): Promise<void> {
    if (this.#pending.size === 0) return;
    const cutoff = performance.now() - this.#reconcileInterval;
    const old = [...this.#pending.values()].filter((p) => p.submittedAt < cutoff).slice(0, RECONCILE_BATCH);
    for (const pending of old) {
      let job: Job | undefined;
      try {
        job = await Job.fromId(this.#queue, pending.id);
      } catch {
        return; // Redis unreachable: try again next time.
      }
      if (!job?.finishedOn || !this.#pending.has(pending.id)) continue;
      if (job.failedReason) await this.#onFailed(pending.id, job.failedReason);
      else this.#onCompleted(pending.id, job.returnvalue);
    }
  }

  async #cancel(pending: Pending, error: Error): Promise<void> {
    if (!this.#settleFailure(pending, error, "cancelled")) return;
    try {
      await pending.added;
      // Record first, then remove, then broadcast: a node that takes the job in between sees the record.
      await this.#redis.set(cancelKey(this.#prefix, this.queueName, pending.id), "1", "EX", CANCEL_RECORD_TTL_S);
      const removed = await this.#queue.remove(pending.id);
      if (removed === 0) await this.#redis.publish(cancelChannel(this.#prefix, this.queueName), pending.id);
    } catch {
      // Redis unreachable: the record (if written) still stops the job when a node takes it.
    }
  }

  #settleFailure(pending: Pending, error: unknown, as: "failed" | "cancelled"): boolean {
    if (pending.future.done()) return false;
    this.#forget(pending);
    if (as === "cancelled") this.#cancelled++;
    else this.#failed++;
    pending.future._fail(error, as === "cancelled");
    this.#emit(as, pending.id, error);
    return true;
  }

  #forget(pending: Pending): void {
    this.#pending.delete(pending.id);
    if (pending.onAbort && pending.signal) pending.signal.removeEventListener("abort", pending.onAbort);
    pending.onAbort = undefined;
    if (this.#pending.size === 0 && this.#drainWaiters.length > 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  #whenDrained(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  async #disconnect(): Promise<void> {
    clearInterval(this.#reconcileTimer);
    await this.#ready.catch(() => undefined);
    await Promise.allSettled([this.#events?.close(), this.#queue.close(), this.#redis.quit()]);
  }

  #emit(type: ClusterPoolEventType, id: string, error?: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail: { id, error } }));
  }
}
