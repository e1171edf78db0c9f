/**
 * Python's `concurrent.futures` executors over weft's Pool: ThreadPoolExecutor (worker threads)
 * and ProcessPoolExecutor (worker processes).
 */
import { InvalidArgumentError, PoolClosedError, TimeoutError } from "../errors.js";
import type { Future } from "../future.js";
import { checkKnownKeys } from "../options.js";
import { Pool, type PoolOptions } from "../pool/pool.js";
import type { WorkerKind } from "../port.js";
import type { AnyFunction } from "../task-ref.js";
import type { ArgsOf, ItemOf, ResultOf, TaskOf } from "../task-ref.js";

/** Options of {@link ThreadPoolExecutor} and {@link ProcessPoolExecutor}: Pool's, with Python's `maxWorkers` for `size`. */
export interface ExecutorOptions extends Omit<PoolOptions, "kind" | "size"> {
  /**
   * The number of workers (Python's `max_workers`). Default: the CPU count, for both kinds —
   * Python's ThreadPoolExecutor defaults to min(32, CPUs + 4) because its threads mostly wait
   * on I/O; weft's threads compute in parallel, so more threads than cores only add overhead.
   */
  readonly maxWorkers?: number;
  /**
   * Runs on this pool instead of making one: any pool with Pool's surface (`submit`, `imap`,
   * `close`, `size`), such as `@weft/cluster`'s ClusterPool, whose workers are other machines.
   * The executor owns it from then on (`shutdown` closes it). With it, the pool's own options
   * stand: giving any other option (maxWorkers, module, initializer…) too is an InvalidArgumentError.
   */
  readonly pool?: Pool<never>;
}

/** Options of {@link Executor.map}. */
export interface ExecutorMapOptions {
  /**
   * Milliseconds from the call to `map` within which every result must be ready; when the next
   * one is not, the iteration throws TimeoutError and cancels the tasks not yet done (Python's
   * `timeout`). Default: no limit.
   */
  readonly timeout?: number;
  /** Items per task sent to a worker (Python's `chunksize`, which Python honours for processes only; weft for both). Default 1. */
  readonly chunksize?: number;
  /** Most chunks submitted ahead of the consumer (Python 3.14's `buffersize`). Default: twice `maxWorkers`. */
  readonly buffersize?: number;
}

/** Options of {@link Executor.shutdown}. */
export interface ShutdownOptions {
  /** Resolve only once every running and queued task finished and the workers exited. Default true. */
  readonly wait?: boolean;
  /** Cancel the tasks that have not started (running ones finish). Default false. */
  readonly cancelFutures?: boolean;
}

const EXECUTOR_OPTION_KEYS = [
  "maxWorkers", "module", "maxQueue", "idleTimeout", "maxTasksPerWorker", "abortGrace", "taskTimeout",
  "captureCallerStack", "spinWait", "workerOptions", "adapter", "initializer", "initargs", "teardown", "pool",
] as const;
const MAP_OPTION_KEYS = ["timeout", "chunksize", "buffersize"] as const;
const SHUTDOWN_OPTION_KEYS = ["wait", "cancelFutures"] as const;

function checkMaxWorkers(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${what}: maxWorkers must be an integer ≥ 1 (or left out for the CPU count); got ${String(value)}.`);
  }
  return value;
}

function checkTimeout(value: unknown, what: string): number | undefined {
  if (value === undefined || value === Infinity) return undefined;
  if (typeof value !== "number" || !(value >= 0)) {
    throw new InvalidArgumentError(`${what}: timeout must be a number of milliseconds ≥ 0 (or left out to wait as long as it takes); got ${String(value)}.`);
  }
  return value;
}

/**
 * Mirrors Python's `concurrent.futures.Executor`, running tasks on a weft {@link Pool}: `submit`,
 * `map`, `shutdown`, and `await using` (Python's `with`) for `shutdown({ wait: true })`.
 *
 * Tasks are what a Pool runs: the name of an export of the executor's `module`, or a
 * self-contained function (sent as source; closures are not carried) — Python pickles a callable.
 *
 * Differences from Python:
 * - A worker that dies abruptly (a crash, `process.exit`, a kill) rejects only the future(s) it
 *   was running, with WorkerExitError; the executor replaces the worker and keeps serving. Python
 *   marks the whole executor broken instead (BrokenProcessPool / BrokenThreadPool: every pending
 *   future fails and new submissions raise); weft has no broken state.
 * - A failure stays in its future, as in Python: an executor's future that nobody awaits does
 *   not surface as an unhandled rejection (a Pool's does).
 * - `future.cancel()` also stops a running task (Python cancels only tasks that have not started);
 *   `shutdown({ cancelFutures: true })` cancels only the ones not started, as Python does.
 * - `initializer` / `initargs` (passed to the Pool) run once in every worker, as in Python. If the
 *   initializer fails, Python marks the executor broken (BrokenProcessPool / BrokenThreadPool);
 *   weft replaces the worker, and after 3 workers in a row failed it rejects the pending futures
 *   with WorkerStartError (`cause`: the initializer's error) and stays usable. `teardown` is weft's.
 * - `map` is lazy: it submits as you iterate, at most `buffersize` chunks ahead (Python 3.14's
 *   `buffersize`), and passes each item as the task's one argument (Python zips several iterables).
 */
export class Executor<M = Record<string, AnyFunction>> {
  readonly #pool: Pool<M>;
  readonly #pending = new Set<Future<unknown>>();
  #shutdown: Promise<void> | undefined;

  protected constructor(kind: WorkerKind, options: ExecutorOptions, what: string) {
    checkKnownKeys(options, EXECUTOR_OPTION_KEYS, `${what} options`);
    const { maxWorkers, pool, ...poolOptions } = options;
    if (pool !== undefined) {
      if (pool === null || typeof pool !== "object" || typeof (pool as Partial<Pool<M>>).submit !== "function" || typeof (pool as Partial<Pool<M>>).imap !== "function" || typeof (pool as Partial<Pool<M>>).close !== "function") {
        throw new InvalidArgumentError(`${what}: pool must be a pool (an object with submit, imap and close, such as a Pool or a ClusterPool); got ${pool === null ? "null" : typeof pool}.`);
      }
      const others = Object.keys(options).filter((key) => key !== "pool" && (options as Record<string, unknown>)[key] !== undefined);
      if (others.length) throw new InvalidArgumentError(`${what}: with a pool given, its own options stand; leave out ${others.join(", ")} (set them where the pool is made).`);
      this.#pool = pool as unknown as Pool<M>;
      return;
    }
    const size = checkMaxWorkers(maxWorkers, what);
    this.#pool = new Pool<M>({ ...poolOptions, kind, ...(size === undefined ? {} : { size }) });
  }

  /** The number of workers (Python's `_max_workers`). */
  get maxWorkers(): number {
    return this.#pool.size;
  }

  /** The pool the executor runs on, for its `stats` and events. */
  get pool(): Pool<M> {
    return this.#pool;
  }

  /**
   * Schedules `task(...args)` and returns its Future (Python's `submit(fn, *args)`). After
   * `shutdown()` it throws PoolClosedError (Python raises RuntimeError).
   */
  submit<T extends TaskOf<M>>(task: T, ...args: ArgsOf<M, T>): Future<ResultOf<M, T>> {
    if (this.#shutdown) throw new PoolClosedError("cannot schedule new futures after shutdown: this executor was shut down.");
    const future = this.#pool.submit(task, args) as Future<ResultOf<M, T>>;
    // As in Python, a failure is kept in its future until asked for: one nobody awaits is not an unhandled rejection.
    future.catch(() => undefined);
    const tracked = future as unknown as Future<unknown>;
    this.#pending.add(tracked);
    future.addDoneCallback(() => this.#pending.delete(tracked));
    return future;
  }

  /**
   * Yields `task(item)` for each item, in input order (Python's `map(fn, iterable, timeout=…,
   * chunksize=…)`), as a lazy async iterator: items are submitted as the loop goes, at most
   * `buffersize` chunks ahead. The first failure is thrown when its result is reached. Leaving the
   * loop early, or a `timeout` passing, cancels the chunks still in flight.
   */
  map<T extends TaskOf<M>>(task: T, items: Iterable<ItemOf<M, T>> | AsyncIterable<ItemOf<M, T>>, options: ExecutorMapOptions = {}): AsyncGenerator<ResultOf<M, T>, void, undefined> {
    if (this.#shutdown) throw new PoolClosedError("cannot schedule new futures after shutdown: this executor was shut down.");
    checkKnownKeys(options, MAP_OPTION_KEYS, "Executor.map options");
    const timeout = checkTimeout(options.timeout, "Executor.map");
    const deadline = timeout === undefined ? undefined : performance.now() + timeout;
    const cancel = new AbortController();
    const results = this.#pool.imap(task, items, {
      signal: cancel.signal,
      ...(options.chunksize === undefined ? {} : { chunksize: options.chunksize }),
      ...(options.buffersize === undefined ? {} : { buffer: options.buffersize }),
    });
    return deadline === undefined ? results : withDeadline(results, cancel, deadline, timeout as number);
  }

  /**
   * Stops accepting tasks and frees the workers once the submitted tasks finished (Python's
   * `shutdown(wait=True, cancel_futures=False)`). With `cancelFutures`, the tasks not yet started
   * are cancelled first. With `wait: false` it returns at once, and the workers exit when their
   * tasks are done. Calling it again is harmless.
   */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    checkKnownKeys(options, SHUTDOWN_OPTION_KEYS, "Executor.shutdown options");
    if (options.cancelFutures) {
      for (const future of [...this.#pending]) if (!future.running()) future.cancel(); // Python cancels only what has not started
    }
    this.#shutdown ??= this.#pool.close();
    if (options.wait ?? true) await this.#shutdown;
    else this.#shutdown.catch(() => undefined);
  }

  /** `await using executor = new ThreadPoolExecutor(…)` shuts it down, waiting, at the end of the scope (Python's `with`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ wait: true });
  }
}

/**
 * Throws TimeoutError from `next()` once `deadline` passes before the next result. On the way out
 * (a timeout, an error, or the loop left early) it cancels what `source` has in flight through
 * `cancel`: `source.return()` alone would wait for the pending `next()`, that is, for the slow task.
 */
async function* withDeadline<T>(source: AsyncGenerator<T, void, undefined>, cancel: AbortController, deadline: number, timeout: number): AsyncGenerator<T, void, undefined> {
  let finished = false;
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<"expired">((resolve) => {
        timer = setTimeout(() => resolve("expired"), Math.max(0, deadline - performance.now()));
      });
      const step = await Promise.race([source.next(), expired]).finally(() => clearTimeout(timer));
      if (step === "expired") throw new TimeoutError(`Executor.map: the results were not all ready within ${timeout} ms.`);
      if (step.done) {
        finished = true;
        return;
      }
      yield step.value;
    }
  } finally {
    if (!finished) {
      cancel.abort(new TimeoutError(`Executor.map: cancelled after ${timeout} ms.`));
      source.return(undefined).catch(() => undefined);
    }
  }
}

/**
 * Mirrors Python's `concurrent.futures.ThreadPoolExecutor`: an {@link Executor} over worker
 * threads (weft's `Pool({ kind: "thread" })`). Unlike CPython's threads, they compute in
 * parallel. See {@link Executor} for the differences from Python.
 *
 * @example
 * ```ts
 * await using executor = new ThreadPoolExecutor({ maxWorkers: 4 });
 * const future = executor.submit((a: number, b: number) => a + b, 2, 3);
 * console.log(await future); // 5
 * ```
 */
export class ThreadPoolExecutor<M = Record<string, AnyFunction>> extends Executor<M> {
  constructor(options: ExecutorOptions = {}) {
    super("thread", options, "ThreadPoolExecutor");
  }
}

/**
 * Mirrors Python's `concurrent.futures.ProcessPoolExecutor`: an {@link Executor} over worker
 * processes (weft's `Pool({ kind: "process" })`; an isolated worker in a browser). Where Python
 * raises BrokenProcessPool when a worker dies abruptly, weft keeps serving: only that worker's
 * futures reject (WorkerExitError) and a new worker replaces it. See {@link Executor}.
 */
export class ProcessPoolExecutor<M = Record<string, AnyFunction>> extends Executor<M> {
  constructor(options: ExecutorOptions = {}) {
    super("process", options, "ProcessPoolExecutor");
  }
}
