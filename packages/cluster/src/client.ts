/**
 * ClusterPool: a Pool whose workers are other machines. Jobs go into a BullMQ queue in Redis;
 * worker nodes (see worker.ts) take them and run each on their own local weft Pool; each node
 * writes a job's outcome to its client's own results stream (see client-link.ts).
 */
import { Future, InvalidArgumentError, PoolClosedError, type ListenerOptions, type PoolListener, type TaskArgs, type TaskName, type TaskResult } from "@weft/core";
import { abortReasonToError, futureController, imapChunks, mapChunks, deserializeError, type FutureController, type SerializedError } from "@weft/core/transport";
import { decodeValue, encodeValue } from "./codec.js";
import { DEFAULT_CONNECT_TIMEOUT_MS, within } from "./connection.js";
import { TASK_KEYS, checkKeys, checkPositive, poolSettings, type ClusterImapOptions, type ClusterMapOptions, type ClusterPoolEventType, type ClusterPoolOptions, type ClusterPoolStats, type ClusterTaskOptions, type PoolSettings } from "./client-options.js";
import { ClientLink } from "./client-link.js";
import { InlineTaskError, JobLostError, JobStalledError, RedisUnavailableError, withCallerStack } from "./errors.js";
import { JobLedger, type PendingJob, type SettledAs } from "./job-ledger.js";
import { checkPayload } from "./payload.js";
import { RESULT_FIELDS, newClientId, type JobData } from "./protocol.js";
import type { ResultEntry } from "./results-stream.js";

export type { ClusterImapOptions, ClusterMapOptions, ClusterPoolEventType, ClusterPoolOptions, ClusterPoolStats, ClusterTaskOptions } from "./client-options.js";

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
  readonly #settings: PoolSettings;
  readonly #link: ClientLink;
  readonly #ledger: JobLedger;
  readonly #ready: Promise<void>;
  /** Set when Redis could not be reached at the start: the pool is unusable, every task rejects with it. */
  #unavailable: RedisUnavailableError | undefined;
  readonly #clientId = newClientId();
  /** Event types someone listens to: an event nobody listens to is not made (three per job otherwise). */
  readonly #listened = new Set<string>();
  #nextJob = 1;
  #closing = false;
  #terminated = false;
  #closePromise: Promise<void> | undefined;

  constructor(options: ClusterPoolOptions) {
    super();
    const settings = poolSettings(options);
    this.#settings = settings;
    this.module = settings.module;
    this.queueName = settings.queue;
    this.size = settings.size;
    this.#ledger = new JobLedger((job, as, error) => {
      this.#link.forget(job.id);
      this.#emit(as, job.id, error);
    });
    this.#link = new ClientLink(settings, this.#clientId, {
      entry: (entry) => this.#onEntry(entry),
      beat: (silentFor) => this.#onBeat(silentFor),
      pending: () => this.#ledger.values(),
      lost: (id) => this.#onLost(id),
      stalled: (id, reason) => this.#onStalledFailure(id, reason),
    });
    this.#ready = this.#link.ready.catch((error: unknown) => {
      if (error instanceof RedisUnavailableError) this.#giveUp(error);
      throw error;
    });
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
   * Stops accepting tasks, waits until every submitted task has settled, then removes this
   * client's keys from Redis and closes the connections (within about three seconds, whether or
   * not Redis answers). Every task settles: with its outcome, {@link JobLostError} (Redis lost the
   * job), or {@link RedisUnavailableError} (Redis silent for `connectTimeout`); a task still
   * running on a node is waited for.
   */
  close(): Promise<void> {
    if (this.#closePromise) return this.#closePromise;
    this.#closing = true;
    this.#closePromise = this.#ledger.whenDrained().then(() => this.#link.disconnect(this.#closedError(), !this.#unavailable));
    return this.#closePromise;
  }

  /**
   * Cancels every unsettled task at once (they reject with PoolClosedError), whatever their
   * number: one command drops this client's lease, so that nodes drop its queued jobs as they take
   * them, and one broadcast aborts its running ones; then its queued jobs are removed from Redis,
   * 500 per script call. Then closes. Returns within `connectTimeout` plus about three seconds
   * even if Redis does not answer.
   */
  async terminate(): Promise<void> {
    this.#closing = true;
    if (!this.#terminated) {
      this.#terminated = true;
      const error = new PoolClosedError("The cluster pool was terminated before this task finished.");
      const jobs = [...this.#ledger.values()];
      for (const job of jobs) this.#ledger.fail(job, error, "cancelled");
      if (!this.#unavailable) {
        const sent = this.#ready.then(() => this.#link.withdrawAll(jobs.filter((job) => job.stored).map((job) => job.id)));
        await within(sent, this.#settings.connectTimeout === Infinity ? DEFAULT_CONNECT_TIMEOUT_MS : this.#settings.connectTimeout);
      }
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
    const running = this.#ledger.running;
    return {
      queue: this.queueName,
      size: this.size,
      queued: this.#ledger.size - running,
      running,
      completed: this.#ledger.completed,
      failed: this.#ledger.failed,
      cancelled: this.#ledger.cancelled,
      stalled: this.#ledger.stalled,
    };
  }

  /** How many worker nodes are connected to the queue now (BullMQ's worker registry). */
  nodeCount(): Promise<number> {
    return this.#link.nodeCount();
  }

  override addEventListener(type: ClusterPoolEventType, listener: PoolListener | null, options?: boolean | ListenerOptions): void;
  override addEventListener(type: string, listener: PoolListener | null, options?: boolean | ListenerOptions): void {
    this.#listened.add(type);
    super.addEventListener(type, listener as never, options as never);
  }

  // ----- internals: submission ----------------------------------------------------------------

  #closedError(): Error {
    if (this.#unavailable) return this.#unavailableError(undefined);
    return new PoolClosedError(this.#terminated ? "The cluster pool was terminated; create a new ClusterPool to run more tasks." : "The cluster pool is closed; create a new ClusterPool to run more tasks.");
  }

  /** A RedisUnavailableError of its own for one task, with that task's caller stack. */
  #unavailableError(job: PendingJob | undefined, silentFor?: number): RedisUnavailableError {
    const error = silentFor === undefined
      ? new RedisUnavailableError(this.#unavailable!.message, this.#unavailable!.waitedMs, { cause: this.#unavailable!.cause })
      : new RedisUnavailableError(`Redis has not answered this cluster client for ${Math.round(silentFor)} ms (connectTimeout ${this.#settings.connectTimeout} ms), so this task no longer waits for it. Its job may still run once Redis is back; its cancellation is sent then.`, silentFor);
    return withCallerStack(error, job?.callerSite);
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
      const timeout = checkPositive(options?.timeout, "Task timeout", false) ?? this.#settings.taskTimeout;
      const signal = options?.signal;
      if (signal !== undefined && !(signal instanceof AbortSignal)) throw new InvalidArgumentError("Task option signal must be an AbortSignal.");
      if (signal?.aborted) throw abortReasonToError(signal.reason);
      const encoded = encodeValue(args, "args");
      const limit = this.#settings.maxPayloadBytes;
      checkPayload(encoded, limit, "arguments");
      const data: JobData = {
        weft: 2, client: this.#clientId, module: this.module, task, args: encoded, mode,
        ...(timeout !== undefined && timeout !== Infinity ? { timeout } : {}),
        ...(limit !== Infinity ? { maxResultBytes: limit } : {}),
      };
      this.#enqueue(future, task, data, signal);
    } catch (error) {
      future.fail(error);
    }
    return future.future;
  }

  #enqueue(future: FutureController<unknown>, task: string, data: JobData, signal: AbortSignal | undefined): void {
    const id = `${this.#clientId}-${this.#nextJob++}`;
    const job: PendingJob = {
      id,
      future,
      callerSite: this.#settings.captureCallerStack ? new Error("caller") : undefined,
      submittedAt: performance.now(),
      signal,
      onAbort: undefined,
      added: Promise.resolve(),
      stored: false,
      running: false,
    };
    this.#ledger.add(job);
    future.onCancel((reason) => void this.#cancel(job, reason instanceof Error ? reason : abortReasonToError(reason)));
    if (signal) {
      job.onAbort = () => void this.#cancel(job, abortReasonToError(signal.reason));
      signal.addEventListener("abort", job.onAbort, { once: true });
    }
    job.added = this.#ready
      .then(() => this.#link.add(task, data, id))
      .then(
        () => {
          job.stored = true;
        },
        (error: unknown) => {
          if (error instanceof RedisUnavailableError) {
            this.#ledger.fail(job, this.#unavailableError(job), "failed");
            return;
          }
          const why = error instanceof Error ? error.message : String(error);
          this.#ledger.fail(job, new PoolClosedError(`The job could not be added to the queue "${this.queueName}": ${why}`, { cause: error }), "failed");
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

  /** One entry of this client's results stream: a job started, completed or failed. */
  #onEntry({ fields }: ResultEntry): void {
    const id = fields[RESULT_FIELDS.job];
    if (id === undefined) return;
    const value = fields[RESULT_FIELDS.value] ?? "null";
    switch (fields[RESULT_FIELDS.event]) {
      case "active":
        this.#onActive(id, fields[RESULT_FIELDS.restarted] === "1");
        break;
      case "done":
        this.#onDone(id, value);
        break;
      case "failed":
        this.#onFailed(id, value);
        break;
    }
  }

  #onActive(id: string, restarted: boolean): void {
    const job = this.#ledger.get(id);
    if (!job) return;
    if (restarted) {
      // A node lost the job (killed, hung) and BullMQ's stalled-job check gave it to another.
      this.#ledger.stalled++;
      this.#emit("stalled", id);
    }
    if (job.running) return;
    job.running = true;
    job.future.markRunning();
    this.#emit("running", id);
  }

  /** `json` is the result in weft's encoding. */
  #onDone(id: string, json: string): void {
    const job = this.#ledger.get(id);
    if (!job) return;
    let value: unknown;
    try {
      value = decodeValue(JSON.parse(json));
    } catch (error) {
      this.#ledger.fail(job, error, "failed");
      return;
    }
    this.#ledger.fulfil(job, value);
  }

  /** `json` is the task's error, serialized and in weft's encoding. The failed job is removed from Redis, delivered or not. */
  #onFailed(id: string, json: string): void {
    this.#link.removeFailed(id);
    const job = this.#ledger.get(id);
    if (!job) return;
    let error: unknown;
    try {
      error = deserializeError(decodeValue(JSON.parse(json)) as SerializedError, job.callerSite?.stack);
    } catch (decodeError) {
      error = decodeError;
    }
    this.#ledger.fail(job, error, "failed");
  }

  #onLost(id: string): void {
    const job = this.#ledger.get(id);
    if (job) this.#ledger.fail(job, withCallerStack(new JobLostError(id, this.#link.jobKey(id), job.running ? "running" : "queued"), job.callerSite), "failed");
  }

  #onStalledFailure(id: string, reason: string): void {
    this.#link.removeFailed(id);
    const job = this.#ledger.get(id);
    if (job) this.#ledger.fail(job, withCallerStack(new JobStalledError(id, reason), job.callerSite), "failed");
  }

  /**
   * Redis silent for longer than connectTimeout: a task that has waited through that much of the
   * silence waits no longer. (A task submitted late in an outage gets its own connectTimeout.)
   */
  #onBeat(silentFor: number): void {
    if (silentFor <= this.#settings.connectTimeout || this.#ledger.size === 0) return;
    const now = performance.now();
    for (const job of [...this.#ledger.values()]) {
      if (Math.min(silentFor, now - job.submittedAt) <= this.#settings.connectTimeout) continue;
      // Withdrawn like a cancelled job: once Redis answers again, the job is removed before a node takes it, or aborted.
      if (this.#ledger.fail(job, this.#unavailableError(job, silentFor), "failed")) void this.#withdraw(job);
    }
  }

  /** Redis was not reached at the start: every task rejects, and the pool lets go of its connections. */
  #giveUp(error: RedisUnavailableError): void {
    this.#unavailable = error;
    for (const job of [...this.#ledger.values()]) this.#ledger.fail(job, this.#unavailableError(job), "failed");
    void this.#link.disconnect(this.#closedError(), false);
  }

  async #cancel(job: PendingJob, error: Error): Promise<void> {
    if (this.#ledger.fail(job, error, "cancelled")) await this.#withdraw(job);
  }

  async #withdraw(job: PendingJob): Promise<void> {
    await job.added;
    if (job.stored) await this.#link.withdraw(job.id);
  }

  #emit(type: ClusterPoolEventType | SettledAs, id: string, error?: unknown): void {
    if (this.#listened.has(type)) this.dispatchEvent(new CustomEvent(type, { detail: { id, error } }));
  }
}
