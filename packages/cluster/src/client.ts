/**
 * ClusterPool: a Pool whose workers are other machines. It is core's pool front (TaskFront, from
 * @weft/core/transport: submission, cancellation, the ledger, close/terminate, counts — the same
 * as the local Pool's) over a BullMQ dispatcher (client-dispatcher.ts): jobs go into a BullMQ
 * queue in Redis; worker nodes (see worker.ts) take them and run each on their own local weft
 * Pool; each node writes a job's outcome to its client's own results stream (see client-link.ts).
 */
import { PoolClosedError, type Future, type ListenerOptions, type PoolListener, type TaskArgs, type TaskName, type TaskResult } from "@weft/core";
import { TaskFront } from "@weft/core/transport";
import { poolSettings, type ClusterImapOptions, type ClusterMapOptions, type ClusterPoolEventType, type ClusterPoolOptions, type ClusterPoolStats, type ClusterTaskOptions } from "./client-options.js";
import { BullDispatcher } from "./client-dispatcher.js";
import { type ClusterJob, buildJob } from "./client-jobs.js";
import { newClientId, type JobData } from "./protocol.js";

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
  readonly #dispatcher: BullDispatcher;
  readonly #front: TaskFront<ClusterJob>;
  readonly #jobContext: Parameters<typeof buildJob>[0];
  /** Event types someone listens to: an event nobody listens to is not made (three per job otherwise). */
  readonly #listened = new Set<string>();

  constructor(options: ClusterPoolOptions) {
    super();
    const settings = poolSettings(options);
    this.module = settings.module;
    this.queueName = settings.queue;
    this.size = settings.size;
    const clientId = newClientId();
    let nextJob = 1;
    this.#jobContext = { settings, clientId, nextId: () => `${clientId}-${nextJob++}` };
    const report = (detail: object) => this.dispatchEvent(new CustomEvent("error", { detail }));
    const dispatcher = new BullDispatcher(settings, clientId, (type, id) => this.#emit(type, id), report);
    this.#dispatcher = dispatcher;
    this.#front = new TaskFront(dispatcher, {
      closedError: () => dispatcher.closedError(),
      terminatedError: () => new PoolClosedError("The cluster pool was terminated before this task finished."),
      ended: (job, end, error) => this.#emit(end, job.id, error),
      report,
      maxQueue: settings.maxQueue,
      drained: () => {
        if (this.#listened.has("drain")) this.dispatchEvent(new CustomEvent("drain"));
      },
    });
  }

  // ----- submitting -------------------------------------------------------------------------

  /** Runs one task on some node and returns its future (Python's `apply_async`). */
  submit<T extends TaskName<M>>(task: T, args: TaskArgs<M, T>, options?: ClusterTaskOptions): Future<TaskResult<M, T>> {
    return this.#submit(task, args, "call", options) as Future<TaskResult<M, T>>;
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
    return this.#front.map((chunk, chunkOptions) => this.#submit(task, [chunk], "map", chunkOptions), items, options) as Promise<TaskResult<M, T>[]>;
  }

  /** Like {@link map}, with each item an argument list spread into the call (Python's `starmap`). */
  async starmap<T extends TaskName<M>>(task: T, items: Iterable<TaskArgs<M, T>>, options?: ClusterMapOptions): Promise<TaskResult<M, T>[]> {
    return this.#front.map((chunk, chunkOptions) => this.#submit(task, [chunk], "starmap", chunkOptions), items as Iterable<unknown>, options) as Promise<TaskResult<M, T>[]>;
  }

  /** Lazily maps over a (possibly async, possibly endless) iterable, in input order (Python's `imap`); at most `buffer` jobs in flight. */
  imap<T extends TaskName<M>>(task: T, items: Iterable<TaskArgs<M, T>[0]> | AsyncIterable<TaskArgs<M, T>[0]>, options?: ClusterImapOptions): AsyncGenerator<TaskResult<M, T>, void, undefined> {
    return this.#front.imap((chunk, chunkOptions) => this.#submit(task, [chunk], "map", chunkOptions), items, true, options) as AsyncGenerator<TaskResult<M, T>, void, undefined>;
  }

  /** Like {@link imap}, yielding results as they complete (Python's `imap_unordered`). */
  imapUnordered<T extends TaskName<M>>(task: T, items: Iterable<TaskArgs<M, T>[0]> | AsyncIterable<TaskArgs<M, T>[0]>, options?: ClusterImapOptions): AsyncGenerator<TaskResult<M, T>, void, undefined> {
    return this.#front.imap((chunk, chunkOptions) => this.#submit(task, [chunk], "map", chunkOptions), items, false, options) as AsyncGenerator<TaskResult<M, T>, void, undefined>;
  }

  /** The `maxQueue` option, resolved ("auto" → a number; Infinity when left out). */
  get maxQueue(): number {
    return this.#front.maxQueue;
  }

  /**
   * True while this client's jobs not yet known to be running (`stats.queued`: unsettled, not
   * reported started by a node) reach the high-water mark: `maxQueue` when it is finite (the
   * next `submit` would reject with QueueFullError), else `size`. When it falls back to false the
   * pool dispatches a "drain" event — as a local Pool does.
   */
  get needsDrain(): boolean {
    return this.#front.needsDrain;
  }

  /**
   * Resolves once the client is connected and listening, and this client's queue has room under
   * `maxQueue` (see {@link needsDrain}). Rejects with {@link RedisUnavailableError}
   * if Redis could not be reached within `connectTimeout` (the pool is then unusable and has let go
   * of its connections), or with PoolClosedError if the pool is closed. Submitting before it is
   * fine (jobs wait for it).
   */
  ready(): Promise<void> {
    return this.#front.ready();
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
    return this.#front.close();
  }

  /**
   * Cancels every unsettled task at once (they reject with PoolClosedError), whatever their
   * number: one command drops this client's lease, so that nodes drop its queued jobs as they take
   * them, and one broadcast aborts its running ones. Then closes. Returns within `connectTimeout`
   * plus about three seconds even if Redis does not answer.
   */
  terminate(): Promise<void> {
    return this.#front.terminate();
  }

  /** `await using pool = new ClusterPool(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  get closed(): boolean {
    return this.#front.closed;
  }

  get stats(): ClusterPoolStats {
    const running = this.#dispatcher.running;
    return {
      queue: this.queueName,
      size: this.size,
      queued: this.#dispatcher.queued,
      running,
      completed: this.#front.completed,
      failed: this.#front.failed,
      cancelled: this.#front.cancelled,
      stalled: this.#dispatcher.stalled,
    };
  }

  /** How many worker nodes are connected to the queue now (BullMQ's worker registry). */
  nodeCount(): Promise<number> {
    return this.#dispatcher.nodeCount();
  }

  override addEventListener(type: ClusterPoolEventType, listener: PoolListener | null, options?: boolean | ListenerOptions): void;
  override addEventListener(type: string, listener: PoolListener | null, options?: boolean | ListenerOptions): void {
    this.#listened.add(type);
    super.addEventListener(type, listener as never, options as never);
  }

  #submit(task: unknown, args: unknown, mode: JobData["mode"], options: ClusterTaskOptions | undefined): Future<unknown> {
    return this.#front.submit((observer) => {
      if (this.#dispatcher.unavailable) throw this.#dispatcher.closedError();
      return buildJob(this.#jobContext, task, args, mode, options, observer);
    });
  }

  #emit(type: ClusterPoolEventType, id: string, error?: unknown): void {
    if (this.#listened.has(type)) this.dispatchEvent(new CustomEvent(type, { detail: { id, error } }));
  }
}
