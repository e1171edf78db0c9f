/**
 * Pool: Python's `multiprocessing.Pool` (kind "process") and `multiprocessing.pool.ThreadPool`
 * (kind "thread") over any runtime's workers. This file is the facade: options, the API and
 * stats. The pool is a front (front.ts: futures, cancellation, the ledger, close/terminate) over
 * the local dispatcher (scheduler.ts). A task's path: submission.ts checks it, front.ts hands it
 * out, scheduler.ts queues and places it, worker-slot.ts runs it on a worker through
 * host-link.ts, and task.ts settles it.
 */
import { defaultAdapter } from "../adapter-registry.js";
import { InvalidArgumentError, PoolClosedError } from "../errors.js";
import type { Future } from "../future.js";
import { checkBoolean, checkCount, checkDuration, checkKnownKeys, checkStartOptions } from "../options.js";
import type { Adapter, StartOptions, WorkerKind } from "../port.js";
import type { RunRequest } from "../protocol.js";
import { type AnyFunction, type ArgsOf, type ItemOf, type ModuleSpecifier, type ResultOf, type TaskOf, moduleUrl } from "../task-ref.js";
import type { ListenerOptions, PoolListener } from "../web-types.js";
import type { ImapOptions, MapOptions, MapProgress } from "./map.js";
import { TaskFront, checkMaxQueue } from "./front.js";
import type { DurationSummary } from "./histogram.js";
import { Scheduler } from "./scheduler.js";
import { TEARDOWN_BOUND_MS, buildSetup } from "./worker-hooks.js";
import type { PoolErrorDetail } from "./worker-slot.js";
import { PoolRecorder, type PoolEventType, type PoolStats } from "./stats.js";
import { Submissions, type TaskOptions } from "./submission.js";
import { PoolTask } from "./task.js";

export type { DurationSummary, ImapOptions, MapOptions, MapProgress, PoolErrorDetail, PoolEventType, PoolStats, TaskOptions };

/** Options of a {@link Pool}. */
export interface PoolOptions {
  /** "thread" (default: shares memory, starts fast) or "process" (isolated, shares nothing). */
  readonly kind?: WorkerKind;
  /** Number of workers. Default: the runtime's CPU count (Python's `os.cpu_count()`). */
  readonly size?: number;
  /** The task module whose exported functions are called by name. */
  readonly module?: ModuleSpecifier;
  /**
   * Most tasks waiting for a worker; beyond it `submit` rejects with QueueFullError (await
   * `pool.ready()`, or watch `needsDrain` and the "drain" event, to stay under it). Default
   * Infinity. `"auto"` is size² (at least 16), piscina's convention: enough waiting tasks to keep
   * every worker's pipeline fed, few enough that a producer learns early it outpaces the pool.
   */
  readonly maxQueue?: number | "auto";
  /** A worker idle this long (ms) is stopped, and started again on demand. Default Infinity. */
  readonly idleTimeout?: number;
  /** A worker is replaced after running this many tasks (Python's `maxtasksperchild`). Default Infinity. */
  readonly maxTasksPerWorker?: number;
  /** How long (ms) a running task may ignore its abort before its worker is terminated and replaced. Default 1000. */
  readonly abortGrace?: number;
  /** Default run timeout (ms) of each task, counted from when it starts running, not from when it was queued. */
  readonly taskTimeout?: number;
  /**
   * Append the caller's stack to errors thrown in workers. Default true. Capturing a stack costs
   * a few microseconds, as much as a tiny task: so in a burst of submissions (more than 64 tasks
   * queued), the tasks of the burst share the stack captured by its first call.
   */
  readonly captureCallerStack?: boolean;
  /**
   * Microseconds the caller's thread may spin, after sending one task to an idle thread worker
   * through the fast lane, waiting for its answer instead of returning to the event loop.
   * Default 0 (never). It adapts: it spins only while spinning has been answering clearly sooner
   * than the event loop (not on a machine whose cores are all busy), and never longer than half the
   * event loop's round trip. It blocks the caller's thread while it spins (and after 64 answers in
   * a row it yields once): leave it at 0 in a browser and in servers that must stay responsive.
   * At most 10,000.
   */
  readonly spinWait?: number;
  /**
   * A function each worker runs once, before its first task — and so does every worker started
   * later to replace one (idle timeout, `maxTasksPerWorker`, a crash): to open a connection, load
   * a model, fill a cache. The name of a function exported by `module`, or a self-contained
   * function (sent as source, like an inline task). Awaited when it returns a promise. Tasks
   * see what it leaves in the worker's globals (or in its module's state).
   *
   * If it throws or rejects, that worker runs no task and is replaced; after 3 workers in a row
   * failed to start (the pool's start-failure limit, so never a hot loop), the waiting tasks
   * reject with WorkerStartError: its message names the initializer and its `cause` is the
   * initializer's error. Submitting again tries once more. Python's
   * `multiprocessing.Pool(initializer=)`; where Python's `concurrent.futures` executors mark the
   * pool broken, weft rejects the waiting tasks and keeps the pool usable.
   *
   * An initializer that never finishes cannot hold a task past its run timeout: once the worker
   * has loaded, its first task's timeout counts the initializer's time too, and when it runs out
   * the task rejects with TimeoutError (its message names the initializer) and the worker is
   * stopped and replaced, as for a task that overran. `close()` stops workers still in their
   * initializer. (Python has no bound: its Pool waits for such an initializer forever.) Tasks
   * without a timeout wait as long as the initializer does.
   */
  readonly initializer?: string | AnyFunction;
  /** The initializer's arguments (Python's `initargs`), copied to each worker like task arguments. Needs `initializer`. */
  readonly initargs?: readonly unknown[];
  /**
   * A function each worker runs (with no arguments) when it is retired normally: by `close()`,
   * an idle timeout, or `maxTasksPerWorker` — like tinypool's `teardown`. The name of a function
   * exported by `module`, or a self-contained function. Awaited, for at most 5 s; then the worker
   * is stopped anyway. Not run by `terminate()`, nor when a worker crashes or is stopped because a
   * task ignored its abort. A teardown that throws (or overruns) fails no task: it is reported as
   * the pool's "error" event, `detail: { source: "teardown", worker, error }`. Python has none.
   */
  readonly teardown?: string | AnyFunction;
  /** Options passed to the adapter for every worker (env, resource limits, runtime options). */
  readonly workerOptions?: StartOptions;
  /** The runtime adapter; defaults to the one installed by importing `weftjs` or `@weft/<runtime>`. */
  readonly adapter?: Adapter;
}


const POOL_OPTION_KEYS = [
  "kind", "size", "module", "maxQueue", "idleTimeout", "maxTasksPerWorker", "abortGrace",
  "taskTimeout", "captureCallerStack", "spinWait", "workerOptions", "adapter", "initializer", "initargs", "teardown",
] as const;
/** spinWait blocks the caller's thread: more than 10 ms of it is a mistake, not a tuning. */
const MAX_SPIN_WAIT_US = 10_000;

/**
 * A pool of workers running tasks from a task module (or inline functions).
 *
 * Mirrors Python's `multiprocessing.Pool`: `apply`/`submit` (apply_async), `map` (ordered, with
 * chunksize), `imap`, `imapUnordered`, `starmap`, `close`, `terminate`. Differences: every call
 * returns a promise (or async iterator); `close()` also waits for the queue to drain and the
 * workers to exit (Python's close + join); tasks can be cancelled with an AbortSignal, even
 * while running; a worker that dies fails only the task it was running, and the pool keeps
 * serving (Python's ProcessPoolExecutor would break).
 *
 * @example
 * ```ts
 * await using pool = new Pool<typeof import("./tasks.js")>({ module: new URL("./tasks.js", import.meta.url) });
 * const primes = await pool.map("countPrimes", [[0, 1e6], [1e6, 2e6]]);
 * ```
 */
export class Pool<M = Record<string, AnyFunction>> extends EventTarget {
  readonly kind: WorkerKind;
  readonly size: number;
  readonly #module: string | undefined;
  readonly #taskTimeout: number | undefined;
  readonly #captureCallerStack: boolean;
  readonly #maxQueue: number;
  readonly #recorder = new PoolRecorder(this);
  readonly #scheduler: Scheduler;
  readonly #submissions = new Submissions();
  readonly #front: TaskFront<PoolTask>;
  /** Failures that belong to no task's caller (a teardown, an onProgress callback): the "error" event. */
  readonly #reportError = (detail: PoolErrorDetail): void => {
    this.dispatchEvent(new CustomEvent("error", { detail }));
  };

  constructor(options: PoolOptions = {}) {
    super();
    checkKnownKeys(options, POOL_OPTION_KEYS, "Pool options");
    const kind = options.kind ?? "thread";
    if (kind !== "thread" && kind !== "process") {
      throw new InvalidArgumentError(`Pool kind must be "thread" or "process"; got ${JSON.stringify(kind)}.`);
    }
    this.kind = kind;
    const adapter = options.adapter ?? defaultAdapter();
    const cpus = adapter.cpuCount();
    this.size = checkCount(options.size, "Pool size", 1, false, ` Leave it out to use the CPU count (${cpus}).`) ?? Math.max(1, cpus);
    this.#module = options.module === undefined ? undefined : moduleUrl(options.module);
    this.#maxQueue = checkMaxQueue(options.maxQueue, this.size);
    this.#taskTimeout = checkDuration(options.taskTimeout, "taskTimeout");
    this.#captureCallerStack = checkBoolean(options.captureCallerStack, "captureCallerStack") ?? true;
    const spinWait = checkDuration(options.spinWait, "spinWait") ?? 0;
    if (spinWait > MAX_SPIN_WAIT_US) throw new InvalidArgumentError(`spinWait is in microseconds and blocks the caller's thread; at most ${MAX_SPIN_WAIT_US}; got ${spinWait}.`);
    checkStartOptions(options.workerOptions);
    this.#scheduler = new Scheduler(
      {
        adapter,
        kind,
        size: this.size,
        module: this.#module,
        idleTimeout: checkDuration(options.idleTimeout, "idleTimeout") ?? Infinity,
        maxTasksPerWorker: checkCount(options.maxTasksPerWorker, "maxTasksPerWorker", 1, true) ?? Infinity,
        abortGrace: checkDuration(options.abortGrace, "abortGrace") ?? 1000,
        spinWaitUs: spinWait,
        workerOptions: options.workerOptions ?? {},
        setup: buildSetup(options, this.#module, kind),
        teardownBoundMs: TEARDOWN_BOUND_MS,
        reportError: this.#reportError,
      },
      this.#recorder,
    );
    const scheduler = this.#scheduler;
    this.#front = new TaskFront(scheduler, {
      closedError: () => scheduler.closedError(),
      terminatedError: () => new PoolClosedError("The pool was terminated before this task finished."),
      ended: (task, end, error) => this.#recorder.ended(task, end, error),
      report: this.#reportError,
      maxQueue: this.#maxQueue,
      drained: () => this.#recorder.drained(),
    });
  }

  // ----- submitting -------------------------------------------------------------------------

  /** Runs one task and returns its future (Python's `apply_async`). */
  submit<T extends TaskOf<M>>(task: T, args: ArgsOf<M, T>, options?: TaskOptions): Future<ResultOf<M, T>> {
    return this.#submit(task, args, "call", options) as Future<ResultOf<M, T>>;
  }

  /** Runs one task; await it for the result (Python's `apply`, which blocks; here a future). */
  apply<T extends TaskOf<M>>(task: T, args: ArgsOf<M, T>, options?: TaskOptions): Future<ResultOf<M, T>> {
    return this.submit(task, args, options);
  }

  /**
   * Applies `task` to every item, in chunks, and resolves the results in input order (Python's
   * `map`). If a chunk fails, the map rejects with the first error in input order; other chunks
   * still run to completion, as in Python.
   */
  async map<T extends TaskOf<M>>(task: T, items: Iterable<ItemOf<M, T>>, options?: MapOptions): Promise<ResultOf<M, T>[]> {
    return this.#front.map((chunk, chunkOptions) => this.#submit(task, [chunk], "map", chunkOptions), items, options) as Promise<ResultOf<M, T>[]>;
  }

  /** Like {@link map}, with each item an argument list spread into the call (Python's `starmap`). */
  async starmap<T extends TaskOf<M>>(task: T, items: Iterable<ArgsOf<M, T>>, options?: MapOptions): Promise<ResultOf<M, T>[]> {
    return this.#front.map((chunk, chunkOptions) => this.#submit(task, [chunk], "starmap", chunkOptions), items as Iterable<unknown>, options) as Promise<ResultOf<M, T>[]>;
  }

  /**
   * Lazily applies `task` to items of a (possibly async, possibly endless) iterable, yielding the
   * results in input order (Python's `imap`). At most `buffer` chunks are in flight; leaving the
   * loop early cancels them.
   */
  imap<T extends TaskOf<M>>(task: T, items: Iterable<ItemOf<M, T>> | AsyncIterable<ItemOf<M, T>>, options?: ImapOptions): AsyncGenerator<ResultOf<M, T>, void, undefined> {
    return this.#front.imap((chunk, chunkOptions) => this.#submit(task, [chunk], "map", chunkOptions), items, true, options) as AsyncGenerator<ResultOf<M, T>, void, undefined>;
  }

  /** Like {@link imap}, yielding results as they complete (Python's `imap_unordered`). */
  imapUnordered<T extends TaskOf<M>>(task: T, items: Iterable<ItemOf<M, T>> | AsyncIterable<ItemOf<M, T>>, options?: ImapOptions): AsyncGenerator<ResultOf<M, T>, void, undefined> {
    return this.#front.imap((chunk, chunkOptions) => this.#submit(task, [chunk], "map", chunkOptions), items, false, options) as AsyncGenerator<ResultOf<M, T>, void, undefined>;
  }

  /** The queue's limit: the `maxQueue` option, resolved ("auto" → a number). */
  get maxQueue(): number {
    return this.#maxQueue;
  }

  /**
   * True while tasks wait in the queue up to its high-water mark: `maxQueue` when it is finite
   * (the next `submit` would reject with QueueFullError), else the pool size (more tasks wait
   * than there are workers). When it falls back to false the pool dispatches a "drain" event —
   * piscina's `needsDrain` and "drain", and a writable stream's `write() === false` and "drain".
   *
   * @example
   * ```ts
   * for (const job of jobs) {
   *   void pool.submit("work", [job]);
   *   if (pool.needsDrain) await new Promise((resolve) => pool.addEventListener("drain", resolve, { once: true }));
   * }
   * ```
   */
  get needsDrain(): boolean {
    return this.#front.needsDrain;
  }

  /** Forgets the run and wait times recorded so far (`stats.runTime`, `stats.waitTime`). */
  resetTimes(): void {
    this.#recorder.runTimes.reset();
    this.#recorder.waitTimes.reset();
  }

  /** Resolves when the queue has room under `maxQueue` (at once if it has); rejects if the pool closes. */
  ready(): Promise<void> {
    return this.#front.ready();
  }

  #submit(task: unknown, args: unknown, mode: RunRequest["mode"], options: TaskOptions | undefined): Future<unknown> {
    return this.#front.submit((observer) => {
      const init = this.#submissions.build(
        { kind: this.kind, module: this.#module, taskTimeout: this.#taskTimeout, captureCallerStack: this.#captureCallerStack, queued: this.#scheduler.queue.size, reportError: this.#reportError },
        task, args, mode, options,
      );
      return new PoolTask(init, observer);
    });
  }

  // ----- closing ----------------------------------------------------------------------------

  /**
   * Stops accepting tasks, lets every queued and running task finish, then stops the workers.
   * Resolves when they are gone (Python's `close()` followed by `join()`). Calling it again
   * returns the same promise.
   */
  close(): Promise<void> {
    return this.#front.close();
  }

  /**
   * Stops every worker now. Queued and running tasks reject with PoolClosedError (Python's
   * `terminate()`). Resolves when every worker is gone.
   */
  terminate(): Promise<void> {
    return this.#front.terminate();
  }

  /** `await using pool = new Pool(…)` closes the pool (draining it) at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** True once `close()` or `terminate()` was called. */
  get closed(): boolean {
    return this.#front.closed;
  }

  /**
   * A snapshot: `queued` counts the tasks waiting for a worker (what `maxQueue` limits);
   * `running` counts the tasks with a worker — running, or next in its pipeline — whose callers
   * still wait (an aborted task still finishing on its worker is not counted).
   */
  get stats(): PoolStats {
    let running = 0;
    let idle = 0;
    const workers = this.#scheduler.workers;
    for (const slot of workers) {
      running += slot.running;
      if (!slot.busy) idle++;
    }
    return {
      kind: this.kind,
      size: this.size,
      workers: workers.size,
      idleWorkers: idle,
      queued: this.#scheduler.queue.size,
      running,
      completed: this.#front.completed,
      failed: this.#front.failed,
      cancelled: this.#front.cancelled,
      utilisation: this.#recorder.utilisation(this.size),
      lingeringThreads: this.#recorder.lingeringThreads,
      runTime: this.#recorder.runTimes.summary(),
      waitTime: this.#recorder.waitTimes.summary(),
    };
  }

  override addEventListener(type: PoolEventType, listener: PoolListener | null, options?: boolean | ListenerOptions): void;
  override addEventListener(type: string, listener: PoolListener | null, options?: boolean | ListenerOptions): void {
    if (listener) this.#recorder.listenerAdded(type);
    super.addEventListener(type, listener as never, options as never);
  }

  override removeEventListener(type: string, listener: PoolListener | null, options?: boolean | ListenerOptions): void {
    if (listener) this.#recorder.listenerRemoved(type);
    super.removeEventListener(type, listener as never, options as never);
  }
}
