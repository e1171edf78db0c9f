/**
 * ClusterPool: a Pool whose workers are other machines. Jobs go into a BullMQ queue in Redis;
 * worker nodes (see worker.ts) take them and run each on their own local weft Pool; results and
 * errors come back through BullMQ's queue events.
 */
import { Queue, type ConnectionOptions } from "bullmq";
import type { Redis } from "ioredis";
import { Future, InvalidArgumentError, PoolClosedError, type ListenerOptions, type ModuleSpecifier, type PoolListener, type TaskArgs, type TaskName, type TaskResult } from "@weft/core";
import { abortReasonToError, futureController, imapChunks, mapChunks, deserializeError, type FutureController, type SerializedError } from "@weft/core/transport";
import { decodeValue, encodeValue } from "./codec.js";
import { DEFAULT_CONNECT_TIMEOUT_MS, connect, redisOptions, release, whenReady, within, withinConnectTimeout, type RedisTarget } from "./connection.js";
import { InlineTaskError, JobLostError, JobStalledError, RedisUnavailableError, withCallerStack } from "./errors.js";
import { EventStreamReader, readerOptions, type QueueEvent } from "./event-stream.js";
import { Heartbeat } from "./heartbeat.js";
import { checkPayload, maxPayloadOption } from "./payload.js";
import { FinishedJobRemover } from "./finished-jobs.js";
import { lookUpJobs, type JobLookup } from "./reconcile.js";
import { CANCEL_RECORD_TTL_S, DEFAULT_QUEUE, cancelChannel, cancelKey, isStalledFailure, moduleName, newClientId, type JobData } from "./protocol.js";

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
  /**
   * Keep finished jobs in Redis this long (s), for dashboards. By default a job is removed as
   * soon as its outcome reached this client (its hash, logs and finished-set entry), so Redis
   * holds nothing of finished work; jobs whose client went away before their outcome arrived
   * are removed by BullMQ an hour after they finished.
   */
  readonly keepFinishedFor?: number;
  /**
   * Every this many ms, every job pending longer than that is looked up in Redis, in case its
   * outcome never reached this client through the events stream. A finished job settles from
   * what Redis holds; a job gone from Redis rejects with {@link JobLostError}, so a vanished job
   * settles within about twice this interval. When the events stream was trimmed past what this
   * client had read (it fell behind), every pending job is looked up at once. Default 5000.
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
  readonly future: FutureController<unknown>;
  readonly callerSite: Error | undefined;
  readonly submittedAt: number;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  added: Promise<unknown>;
  /** The job is in Redis (its add was answered), so a look-up that misses it means Redis lost it. */
  stored: boolean;
  running: boolean;
}

const POOL_KEYS = ["redis", "module", "queue", "prefix", "size", "taskTimeout", "captureCallerStack", "keepFinishedFor", "reconcileInterval", "connectTimeout", "maxPayloadBytes"];
const TASK_KEYS = ["signal", "timeout"];
/** Longest pause between two heartbeats (ms); shorter when connectTimeout is short, so an outage is noticed within about a quarter of it. */
const MAX_HEARTBEAT_MS = 1000;
/** How long BullMQ keeps a finished job nobody removed (its client went away first), in s. */
const UNCLAIMED_JOB_AGE_S = 3600;

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
 * Every task settles, whatever Redis does: with its outcome; with {@link JobLostError} if Redis
 * lost its job (found by the sweep every `reconcileInterval`); with {@link RedisUnavailableError}
 * if Redis cannot be reached at the start, or stays silent for `connectTimeout` while the task
 * waits; with {@link JobStalledError} if its nodes kept dying under it.
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
  /** Removes jobs once delivered, unless keepFinishedFor asked to keep them. */
  readonly #remover: FinishedJobRemover | undefined;
  readonly #queue: Queue;
  readonly #redis: Redis;
  readonly #readerRedis: Redis;
  #reader: EventStreamReader | undefined;
  #heartbeat: Heartbeat | undefined;
  readonly #ready: Promise<void>;
  /** Set when Redis could not be reached at the start: the pool is unusable, every task rejects with it. */
  #unavailable: RedisUnavailableError | undefined;
  readonly #pending = new Map<string, Pending>();
  readonly #clientId = newClientId();
  #reconcileTimer: ReturnType<typeof setTimeout> | undefined;
  #sweeping = false;
  #fullSweepWanted = false;
  #fullSweepFailed = false;
  readonly #reconcileInterval: number;
  readonly #connectTimeout: number;
  readonly #maxPayloadBytes: number;
  #disconnected = false;
  readonly #stopConnecting = new AbortController();
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
    this.module = moduleName(options.module);
    this.queueName = options.queue ?? DEFAULT_QUEUE;
    this.#prefix = options.prefix ?? "bull";
    this.size = checkPositive(options.size, "ClusterPool size", true) ?? 8;
    this.#taskTimeout = checkPositive(options.taskTimeout, "taskTimeout", false);
    this.#captureCallerStack = options.captureCallerStack ?? true;
    const keepFinishedFor = checkPositive(options.keepFinishedFor, "keepFinishedFor", true);
    this.#keepFinishedFor = keepFinishedFor ?? UNCLAIMED_JOB_AGE_S;
    this.#reconcileInterval = checkPositive(options.reconcileInterval, "reconcileInterval", false) ?? 5000;
    this.#connectTimeout = checkPositive(options.connectTimeout, "connectTimeout", false) ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#maxPayloadBytes = maxPayloadOption(options.maxPayloadBytes, "ClusterPool maxPayloadBytes");
    // The client owns its connections (BullMQ's Queue shares the command one), so that it can
    // always let go of them, whatever Redis does.
    this.#redis = connect(connection);
    this.#readerRedis = connect(readerOptions(connection));
    this.#remover = keepFinishedFor === undefined ? new FinishedJobRemover(this.#redis, `${this.#prefix}:${this.queueName}:`) : undefined;
    this.#queue = new Queue(this.queueName, { connection: this.#redis as unknown as ConnectionOptions, prefix: this.#prefix });
    // Errors of the connections are retried by ioredis; without a listener they would be thrown.
    this.#queue.on("error", () => undefined);
    this.#ready = withinConnectTimeout(this.#listen(), [this.#redis, this.#readerRedis], connection, this.#connectTimeout, "The cluster client", this.#stopConnecting.signal).then(
      () => this.#startWatching(),
      (error: unknown) => {
        if (error instanceof RedisUnavailableError) this.#giveUp(error);
        throw error;
      },
    );
    this.#ready.catch(() => undefined);
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

  /**
   * Resolves once the client is connected and listening. Rejects with {@link RedisUnavailableError}
   * if Redis could not be reached within `connectTimeout` (the pool is then unusable and has let go
   * of its connections), or with PoolClosedError if the pool is closed. Submitting before it is
   * fine (jobs wait for it).
   */
  ready(): Promise<void> {
    if (this.#unavailable) return this.#ready;
    if (this.#closing) return Promise.reject(this.#closedError());
    return this.#ready;
  }

  // ----- closing ----------------------------------------------------------------------------

  /**
   * Stops accepting tasks, waits until every submitted task has settled, then closes the Redis
   * connections (within about two seconds, whether or not Redis answers). Every task settles:
   * with its outcome, {@link JobLostError} (Redis lost the job), or {@link RedisUnavailableError}
   * (Redis silent for `connectTimeout`); a task still running on a node is waited for.
   */
  close(): Promise<void> {
    if (this.#closePromise) return this.#closePromise;
    this.#closing = true;
    this.#closePromise = this.#whenDrained().then(() => this.#disconnect());
    return this.#closePromise;
  }

  /**
   * Cancels every unsettled task (they reject with PoolClosedError at once; queued jobs are
   * removed, running ones aborted on their nodes), then closes. Returns within `connectTimeout`
   * plus about two seconds even if Redis does not answer (the cancellations it could not send are
   * then dropped).
   */
  async terminate(): Promise<void> {
    this.#closing = true;
    if (!this.#terminated) {
      this.#terminated = true;
      const error = new PoolClosedError("The cluster pool was terminated before this task finished.");
      const cancellations = Promise.all([...this.#pending.values()].map((pending) => this.#cancel(pending, error)));
      await within(cancellations, this.#connectTimeout === Infinity ? DEFAULT_CONNECT_TIMEOUT_MS : this.#connectTimeout);
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
   * Connects, and reads the queue's events stream from its current end, found before any job of
   * this client is added: a job that finishes before the reader's first read is still seen.
   */
  async #listen(): Promise<void> {
    await Promise.all([whenReady(this.#redis), whenReady(this.#readerRedis), this.#queue.waitUntilReady()]);
    const [last] = await this.#redis.xrevrange(this.#eventsKey(), "+", "-", "COUNT", 1);
    if (this.#disconnected) return;
    this.#reader = new EventStreamReader(this.#readerRedis, this.#eventsKey(), last?.[0] ?? "0-0", (event) => this.#onEvent(event), () => this.#onGap());
    void this.#reader.run();
  }

  /** Once connected: the heartbeat that notices a silent Redis, and the sweeps that notice lost jobs and missed events. */
  #startWatching(): void {
    if (this.#disconnected) return;
    const every = Math.max(50, Math.min(MAX_HEARTBEAT_MS, this.#connectTimeout / 4));
    this.#heartbeat = new Heartbeat(this.#redis, every, (silentFor) => this.#onBeat(silentFor));
    this.#scheduleSweep();
  }

  #eventsKey(): string {
    return `${this.#prefix}:${this.queueName}:events`;
  }

  #jobKey(id: string): string {
    return `${this.#prefix}:${this.queueName}:${id}`;
  }

  #onEvent({ fields }: QueueEvent): void {
    const jobId = fields.jobId;
    if (jobId === undefined) return;
    switch (fields.event) {
      case "active":
        this.#onActive(jobId);
        break;
      case "completed":
        this.#onCompleted(jobId, fields.returnvalue ?? null);
        break;
      case "failed":
        void this.#onFailed(jobId, fields.failedReason ?? "the job failed");
        break;
      case "stalled": {
        const pending = this.#pending.get(jobId);
        if (!pending) return;
        pending.running = false;
        this.#stalled++;
        this.#emit("stalled", jobId);
        break;
      }
    }
  }

  // ----- internals: submission ----------------------------------------------------------------

  #closedError(): Error {
    if (this.#unavailable) return this.#unavailableError(undefined);
    return new PoolClosedError(this.#terminated ? "The cluster pool was terminated; create a new ClusterPool to run more tasks." : "The cluster pool is closed; create a new ClusterPool to run more tasks.");
  }

  /** A RedisUnavailableError of its own for one task, with that task's caller stack. */
  #unavailableError(pending: Pending | undefined, silentFor?: number): RedisUnavailableError {
    const error = silentFor === undefined
      ? new RedisUnavailableError(this.#unavailable!.message, this.#unavailable!.waitedMs, { cause: this.#unavailable!.cause })
      : new RedisUnavailableError(`Redis has not answered this cluster client for ${Math.round(silentFor)} ms (connectTimeout ${this.#connectTimeout} ms), so this task no longer waits for it. Its job may still run once Redis is back; its cancellation is sent then.`, silentFor);
    return withCallerStack(error, pending?.callerSite);
  }

  #submit(task: unknown, args: readonly unknown[], mode: JobData["mode"], options: ClusterTaskOptions | undefined): Future<unknown> {
    const future = futureController<unknown>();
    try {
      checkKeys(options, TASK_KEYS, "task options");
      if (this.#closing || this.#unavailable) throw this.#closedError();
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
      const encoded = encodeValue(args, "args");
      checkPayload(encoded, this.#maxPayloadBytes, "arguments");
      const data: JobData = {
        weft: 1, module: this.module, task, args: encoded, mode,
        ...(timeout !== undefined && timeout !== Infinity ? { timeout } : {}),
        ...(this.#maxPayloadBytes !== Infinity ? { maxResultBytes: this.#maxPayloadBytes } : {}),
      };
      this.#enqueue(future, task, data, signal);
    } catch (error) {
      future.fail(error);
    }
    return future.future;
  }

  #enqueue(future: FutureController<unknown>, task: string, data: JobData, signal: AbortSignal | undefined): void {
    const id = `${this.#clientId}-${this.#nextJob++}`;
    const pending: Pending = {
      id,
      future,
      callerSite: this.#captureCallerStack ? new Error("caller") : undefined,
      submittedAt: performance.now(),
      signal,
      onAbort: undefined,
      added: Promise.resolve(),
      stored: false,
      running: false,
    };
    this.#pending.set(id, pending);
    future.onCancel((reason) => void this.#cancel(pending, reason instanceof Error ? reason : abortReasonToError(reason)));
    if (signal) {
      pending.onAbort = () => void this.#cancel(pending, abortReasonToError(signal.reason));
      signal.addEventListener("abort", pending.onAbort, { once: true });
    }
    const keep = { age: this.#keepFinishedFor };
    pending.added = this.#ready
      .then(() => this.#queue.add(task, data, { jobId: id, attempts: 1, removeOnComplete: keep, removeOnFail: keep }))
      .then(
        () => {
          pending.stored = true;
        },
        (error: unknown) => {
          if (error instanceof RedisUnavailableError) {
            this.#settleFailure(pending, this.#unavailableError(pending), "failed");
            return;
          }
          const why = error instanceof Error ? error.message : String(error);
          this.#settleFailure(pending, new PoolClosedError(`The job could not be added to the queue "${this.queueName}": ${why}`, { cause: error }), "failed");
        },
      );
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
    pending.future.markRunning();
    this.#emit("running", jobId);
  }

  /** `returnvalue` is the JSON BullMQ stored: the result in weft's encoding. */
  #onCompleted(jobId: string, returnvalue: string | null): void {
    const pending = this.#pending.get(jobId);
    if (!pending) return;
    let value: unknown;
    try {
      value = decodeValue(returnvalue === null ? null : JSON.parse(returnvalue));
    } catch (error) {
      this.#settleFailure(pending, error, "failed");
      return;
    }
    this.#forget(pending);
    this.#completed++;
    pending.future.fulfil(value);
    this.#remover?.add(jobId);
    this.#emit("completed", jobId);
  }

  async #onFailed(jobId: string, failedReason: string): Promise<void> {
    const pending = this.#pending.get(jobId);
    if (!pending) return;
    let encoded: unknown;
    try {
      const data = await this.#redis.hget(this.#jobKey(jobId), "data");
      encoded = data === null ? undefined : (JSON.parse(data) as JobData).error;
    } catch {
      // Redis went away between the event and the look-up: the plain reason below still says what failed.
    }
    const error = encoded !== undefined
      ? deserializeError(decodeValue(encoded) as SerializedError, pending.callerSite?.stack)
      : isStalledFailure(failedReason)
        ? withCallerStack(new JobStalledError(jobId, failedReason), pending.callerSite)
        : withCallerStack(new Error(failedReason), pending.callerSite);
    if (this.#settleFailure(pending, error, "failed")) this.#remover?.add(jobId);
  }

  // ----- internals: sweeps and heartbeat ------------------------------------------------------

  #scheduleSweep(): void {
    if (this.#disconnected) return;
    clearTimeout(this.#reconcileTimer);
    this.#reconcileTimer = setTimeout(() => this.#sweepThenReschedule(), this.#fullSweepWanted ? 0 : this.#reconcileInterval);
    (this.#reconcileTimer as { unref?: () => void }).unref?.();
  }

  #sweepThenReschedule(): void {
    this.#sweeping = true;
    void this.#sweep().finally(() => {
      this.#sweeping = false;
      this.#scheduleSweep();
    });
  }

  /** The events stream was trimmed past what this client had read: every pending job is looked up now, not only the old ones. */
  #onGap(): void {
    this.#fullSweepWanted = true;
    // A sweep under way reschedules itself when done, at once since a full one is wanted.
    if (!this.#sweeping) this.#scheduleSweep();
  }

  /**
   * Looks up in Redis every stored job pending longer than the reconcile interval, or every
   * stored job at all after the events stream was trimmed past what this client had read. One
   * sweep at a time; a sweep that Redis does not answer waits, and the heartbeat fails the
   * tasks meanwhile if Redis stays silent.
   */
  async #sweep(): Promise<void> {
    const full = this.#fullSweepWanted || this.#fullSweepFailed;
    this.#fullSweepWanted = false;
    this.#fullSweepFailed = false;
    if (this.#pending.size === 0) return;
    try {
      const cutoff = full ? Infinity : performance.now() - this.#reconcileInterval;
      const ids: string[] = [];
      for (const pending of this.#pending.values()) if (pending.stored && pending.submittedAt < cutoff) ids.push(pending.id);
      await lookUpJobs(this.#redis, ids, (id) => this.#jobKey(id), (outcomes) => {
        for (const [id, outcome] of outcomes) this.#settleFromLookup(id, outcome);
      });
    } catch {
      // Redis failed the look-up (restarting, going away): the next sweep, at the usual interval, tries again.
      this.#fullSweepFailed = full;
    }
  }

  #settleFromLookup(id: string, outcome: JobLookup): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    switch (outcome.kind) {
      case "missing":
        this.#settleFailure(pending, withCallerStack(new JobLostError(id, this.#jobKey(id), pending.running ? "running" : "queued"), pending.callerSite), "failed");
        break;
      case "completed":
        this.#onCompleted(id, outcome.returnvalue);
        break;
      case "failed":
        void this.#onFailed(id, outcome.failedReason);
        break;
      case "unfinished":
        break;
    }
  }

  /**
   * Redis silent for longer than connectTimeout: a task that has waited through that much of the
   * silence waits no longer. (A task submitted late in an outage gets its own connectTimeout.)
   */
  #onBeat(silentFor: number): void {
    if (silentFor <= this.#connectTimeout || this.#pending.size === 0) return;
    const now = performance.now();
    for (const pending of [...this.#pending.values()]) {
      if (Math.min(silentFor, now - pending.submittedAt) <= this.#connectTimeout) continue;
      // Withdrawn like a cancelled job: once Redis answers again, the job is removed before a node takes it, or aborted.
      if (this.#settleFailure(pending, this.#unavailableError(pending, silentFor), "failed")) void this.#withdraw(pending);
    }
  }

  /** Redis was not reached at the start: every task rejects, and the pool lets go of its connections. */
  #giveUp(error: RedisUnavailableError): void {
    this.#unavailable = error;
    for (const pending of [...this.#pending.values()]) this.#settleFailure(pending, this.#unavailableError(pending), "failed");
    void this.#disconnect();
  }

  async #cancel(pending: Pending, error: Error): Promise<void> {
    if (this.#settleFailure(pending, error, "cancelled")) await this.#withdraw(pending);
  }

  /** Stops a settled task's job in Redis: removed if still queued, aborted on its node if running. */
  async #withdraw(pending: Pending): Promise<void> {
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
    if (pending.future.future.done()) return false;
    this.#forget(pending);
    if (as === "cancelled") this.#cancelled++;
    else this.#failed++;
    pending.future.fail(error, as === "cancelled");
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

  /** Lets go of every connection, within about two seconds whatever Redis does. */
  async #disconnect(): Promise<void> {
    if (this.#disconnected) return;
    // Removals still gathered go out first, while the connection is there: bounded, since Redis may be gone.
    if (this.#remover && !this.#unavailable) await within(this.#remover.flush(), 1000);
    if (this.#disconnected) return;
    this.#disconnected = true;
    this.#stopConnecting.abort(this.#closedError());
    clearTimeout(this.#reconcileTimer);
    this.#heartbeat?.stop();
    this.#reader?.close();
    this.#readerRedis.disconnect();
    // The Queue only shares the command connection: its close never sends anything to Redis.
    await Promise.all([within(this.#queue.close(), 1000), release(this.#redis)]);
  }

  #emit(type: ClusterPoolEventType, id: string, error?: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail: { id, error } }));
  }
}
