/**
 * Pool: Python's `multiprocessing.Pool` (kind "process") and `multiprocessing.pool.ThreadPool`
 * (kind "thread") over any runtime's workers. Scheduling lives here, once; adapters only start
 * workers.
 */
import { defaultAdapter } from "./adapter-registry.js";
import {
  AbortError,
  InvalidArgumentError,
  PoolClosedError,
  QueueFullError,
  TimeoutError,
  WorkerExitError,
  WorkerStartError,
  deserializeError,
  serializeError,
} from "./errors.js";
import { Future } from "./future.js";
import { abortReasonToError, checkCount, checkDuration, checkKnownKeys } from "./options.js";
import type { PendingTask } from "./pending-task.js";
import type { Adapter, ExitInfo, StartOptions, WorkerKind } from "./port.js";
import type { FromWorker, RunRequest, TaskOutcome, TaskTarget } from "./protocol.js";
import { type AnyFunction, type ModuleSpecifier, type TaskArgs, type TaskName, type TaskResult, moduleUrl, resolveTarget } from "./task-ref.js";
import { TaskQueue } from "./task-queue.js";
import { checkTransferList, prepareArgs, reviveValue } from "./values.js";
import { WorkerSlot } from "./worker-slot.js";
import { prepareThreadBootstrap } from "./sync/thread-id.js";
import { FastLaneCaller, createFastLaneBuffers, fastLaneAvailable } from "./fast-lane.js";

/** Options of a {@link Pool}. */
export interface PoolOptions {
  /** "thread" (default: shares memory, starts fast) or "process" (isolated, shares nothing). */
  readonly kind?: WorkerKind;
  /** Number of workers. Default: the runtime's CPU count (Python's `os.cpu_count()`). */
  readonly size?: number;
  /** The task module whose exported functions are called by name. */
  readonly module?: ModuleSpecifier;
  /** Most tasks waiting for a worker; beyond it `submit` rejects with QueueFullError. Default Infinity. */
  readonly maxQueue?: number;
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
   * Default 0 (never). About halves the round trip of tiny sequential tasks on Node, at the price of
   * blocking the caller's thread while it waits (and after 64 answers in a row it yields once):
   * leave it at 0 in a browser and in servers that must stay responsive.
   */
  readonly spinWait?: number;
  /** Options passed to the adapter for every worker (env, resource limits, runtime options). */
  readonly workerOptions?: StartOptions;
  /** The runtime adapter; defaults to the one installed by importing `weftjs` or `@weftjs/<runtime>`. */
  readonly adapter?: Adapter;
}

/** Options of one task. */
export interface TaskOptions {
  /** Aborting it cancels the task: a queued task never runs; a running one sees its own signal fire. */
  readonly signal?: AbortSignal;
  /** Run timeout in ms, counted from when the task starts running. Overrides the pool's `taskTimeout`. */
  readonly timeout?: number;
  /** ArrayBuffers to move to a thread worker (detached here). Copied to a process worker. */
  readonly transfer?: readonly Transferable[];
}

/** Options of `map`, `starmap`, `imap` and `imapUnordered`. */
export interface MapOptions {
  /** Items per task. `map`/`starmap` default to Python's choice (about 4 chunks per worker); `imap` defaults to 1. */
  readonly chunksize?: number;
  /** Cancels every chunk not yet finished. */
  readonly signal?: AbortSignal;
  /** Run timeout of each chunk (ms). */
  readonly timeout?: number;
}

/** Options of `imap` and `imapUnordered`. */
export interface ImapOptions extends MapOptions {
  /** Most chunks submitted and not yet consumed (the bounded buffer). Default: twice the pool size. */
  readonly buffer?: number;
}

/** A snapshot of what the pool is doing. */
export interface PoolStats {
  readonly kind: WorkerKind;
  readonly size: number;
  readonly workers: number;
  readonly idleWorkers: number;
  readonly queued: number;
  readonly running: number;
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
  /** Busy worker time over (elapsed time × size) since the pool was created, 0..1. */
  readonly utilisation: number;
}

/** The events a pool dispatches, each a CustomEvent whose `detail` is `{ id }` (and `error` for failures). */
export type PoolEventType = "queued" | "running" | "completed" | "failed" | "cancelled" | "workerstart" | "workerexit";

/** A task given by name (of the pool's module) or as a self-contained function. */
type TaskOf<M> = TaskName<M> | AnyFunction;
type ArgsOf<M, T> = T extends AnyFunction ? Parameters<T> : T extends keyof M ? TaskArgs<M, T> : never;
type ResultOf<M, T> = T extends AnyFunction ? Awaited<ReturnType<T>> : T extends keyof M ? TaskResult<M, T> : never;
type ItemOf<M, T> = ArgsOf<M, T> extends [infer First, ...unknown[]] ? First : ArgsOf<M, T> extends [] ? never : unknown;

const POOL_OPTION_KEYS = [
  "kind", "size", "module", "maxQueue", "idleTimeout", "maxTasksPerWorker", "abortGrace",
  "taskTimeout", "captureCallerStack", "spinWait", "workerOptions", "adapter",
] as const;
const TASK_OPTION_KEYS = ["signal", "timeout", "transfer"] as const;
const MAP_OPTION_KEYS = ["chunksize", "signal", "timeout"] as const;
const IMAP_OPTION_KEYS = [...MAP_OPTION_KEYS, "buffer"] as const;
const MAX_PIPELINE = 64;
const BURST_QUEUE_LENGTH = 64;
const START_FAILURE_LIMIT = 3;
/** Tasks averaging longer than this (ms) are sent one at a time per worker, for balance. */
const LONG_TASK_MS = 2;

/**
 * A pool of workers running tasks from a task module (or inline functions).
 *
 * Mirrors Python's `multiprocessing.Pool`: `apply`/`submit` (apply_async), `map` (ordered, with
 * chunksize), `imap`, `imapUnordered`, `starmap`, `close`, `terminate`. Differences: every call
 * returns a promise (or async iterator); `close()` also waits for the queue to drain and the
 * workers to exit (Python's close + join); tasks can be cancelled with an AbortSignal, even
 * while running.
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
  readonly #adapter: Adapter;
  readonly #module: string | undefined;
  readonly #maxQueue: number;
  readonly #idleTimeout: number;
  readonly #maxTasksPerWorker: number;
  readonly #abortGrace: number;
  readonly #taskTimeout: number | undefined;
  readonly #captureCallerStack: boolean;
  readonly #spinWaitUs: number;
  readonly #workerOptions: StartOptions;

  readonly #queue = new TaskQueue<PendingTask>();
  readonly #slots = new Set<WorkerSlot>();
  readonly #listenerCounts = new Map<string, number>();
  #nextTaskId = 1;
  #nextWorkerNumber = 1;
  #pumpScheduled = false;
  #closing = false;
  #terminated = false;
  #closePromise: Promise<void> | undefined;
  #drainWaiters: (() => void)[] = [];
  #roomWaiters: (() => void)[] = [];
  #startFailures = 0;
  #lastStartFailure: ExitInfo | undefined;
  #averageTaskMs: number | undefined;
  #burstSite: Error | undefined;
  #completed = 0;
  #failed = 0;
  #cancelled = 0;
  #busyMs = 0;
  readonly #createdAt = performance.now();
  readonly #busySince = new Map<WorkerSlot, number>();

  constructor(options: PoolOptions = {}) {
    super();
    checkKnownKeys(options, POOL_OPTION_KEYS, "Pool options");
    const kind = options.kind ?? "thread";
    if (kind !== "thread" && kind !== "process") {
      throw new InvalidArgumentError(`Pool kind must be "thread" or "process"; got ${JSON.stringify(kind)}.`);
    }
    this.kind = kind;
    this.#adapter = options.adapter ?? defaultAdapter();
    const cpus = this.#adapter.cpuCount();
    this.size = checkCount(options.size, "Pool size", 1, false, ` Leave it out to use the CPU count (${cpus}).`) ?? Math.max(1, cpus);
    this.#module = options.module === undefined ? undefined : moduleUrl(options.module);
    this.#maxQueue = checkCount(options.maxQueue, "maxQueue", 0, true) ?? Infinity;
    this.#idleTimeout = checkDuration(options.idleTimeout, "idleTimeout") ?? Infinity;
    this.#maxTasksPerWorker = checkCount(options.maxTasksPerWorker, "maxTasksPerWorker", 1, true) ?? Infinity;
    this.#abortGrace = checkDuration(options.abortGrace, "abortGrace") ?? 1000;
    this.#taskTimeout = checkDuration(options.taskTimeout, "taskTimeout");
    this.#captureCallerStack = options.captureCallerStack ?? true;
    this.#spinWaitUs = checkDuration(options.spinWait, "spinWait") ?? 0;
    this.#workerOptions = options.workerOptions ?? {};
  }

  // ----- submitting -------------------------------------------------------------------------

  /** Runs one task and returns its future (Python's `apply_async`). */
  submit<T extends TaskOf<M>>(task: T, args: ArgsOf<M, T>, options?: TaskOptions): Future<ResultOf<M, T>> {
    return this.#submit(task, args as unknown as readonly unknown[], "call", options) as Future<ResultOf<M, T>>;
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
    return this.#mapChunks(task, items, "map", options) as Promise<ResultOf<M, T>[]>;
  }

  /** Like {@link map}, with each item an argument list spread into the call (Python's `starmap`). */
  async starmap<T extends TaskOf<M>>(task: T, items: Iterable<ArgsOf<M, T>>, options?: MapOptions): Promise<ResultOf<M, T>[]> {
    return this.#mapChunks(task, items as Iterable<unknown>, "starmap", options) as Promise<ResultOf<M, T>[]>;
  }

  /**
   * Lazily applies `task` to items of a (possibly async, possibly endless) iterable, yielding the
   * results in input order (Python's `imap`). At most `buffer` chunks are in flight; leaving the
   * loop early cancels them.
   */
  imap<T extends TaskOf<M>>(task: T, items: Iterable<ItemOf<M, T>> | AsyncIterable<ItemOf<M, T>>, options?: ImapOptions): AsyncGenerator<ResultOf<M, T>, void, undefined> {
    return this.#imap(task, items, true, options) as AsyncGenerator<ResultOf<M, T>, void, undefined>;
  }

  /** Like {@link imap}, yielding results as they complete (Python's `imap_unordered`). */
  imapUnordered<T extends TaskOf<M>>(task: T, items: Iterable<ItemOf<M, T>> | AsyncIterable<ItemOf<M, T>>, options?: ImapOptions): AsyncGenerator<ResultOf<M, T>, void, undefined> {
    return this.#imap(task, items, false, options) as AsyncGenerator<ResultOf<M, T>, void, undefined>;
  }

  /** Resolves when the queue has room under `maxQueue` (at once if it has); rejects if the pool closes. */
  ready(): Promise<void> {
    if (this.#closing) return Promise.reject(this.#closedError());
    if (this.#queue.size < this.#maxQueue) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#roomWaiters.push(() => (this.#closing ? reject(this.#closedError()) : resolve()));
    });
  }

  // ----- closing ----------------------------------------------------------------------------

  /**
   * Stops accepting tasks, lets every queued and running task finish, then stops the workers.
   * Resolves when they are gone (Python's `close()` followed by `join()`). Calling it again
   * returns the same promise.
   */
  close(): Promise<void> {
    if (this.#closePromise) return this.#closePromise;
    this.#closing = true;
    this.#wakeRoomWaiters();
    this.#closePromise = this.#whenDrained().then(() => this.#stopAll());
    return this.#closePromise;
  }

  /**
   * Stops every worker now. Queued and running tasks reject with PoolClosedError (Python's
   * `terminate()`). Resolves when every worker is gone.
   */
  async terminate(): Promise<void> {
    this.#closing = true;
    if (!this.#terminated) {
      this.#terminated = true;
      this.#wakeRoomWaiters();
      const error = new PoolClosedError("The pool was terminated before this task finished.");
      for (const task of this.#queue.drain()) this.#settleFailure(task, error, "cancelled");
      for (const slot of this.#slots) {
        for (const task of slot.inflight.splice(0)) {
          if (!task.abandoned) this.#settleFailure(task, error, "cancelled");
        }
      }
      this.#checkDrained();
    }
    await this.#stopAll();
    if (this.#closePromise) await this.#closePromise;
  }

  /** `await using pool = new Pool(…)` closes the pool (draining it) at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** True once `close()` or `terminate()` was called. */
  get closed(): boolean {
    return this.#closing;
  }

  get stats(): PoolStats {
    const now = performance.now();
    let busy = this.#busyMs;
    for (const since of this.#busySince.values()) busy += now - since;
    let running = 0;
    let idle = 0;
    for (const slot of this.#slots) {
      running += slot.inflight.length;
      if (!slot.busy) idle++;
    }
    const elapsed = now - this.#createdAt;
    return {
      kind: this.kind,
      size: this.size,
      workers: this.#slots.size,
      idleWorkers: idle,
      queued: this.#queue.size,
      running,
      completed: this.#completed,
      failed: this.#failed,
      cancelled: this.#cancelled,
      utilisation: elapsed > 0 ? Math.min(1, busy / (elapsed * this.size)) : 0,
    };
  }

  override addEventListener(type: PoolEventType, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    if (listener) this.#listenerCounts.set(type, (this.#listenerCounts.get(type) ?? 0) + 1);
    super.addEventListener(type, listener, options);
  }

  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    if (listener) this.#listenerCounts.set(type, Math.max(0, (this.#listenerCounts.get(type) ?? 0) - 1));
    super.removeEventListener(type, listener, options);
  }

  // ----- internals: submission ----------------------------------------------------------------

  #closedError(): PoolClosedError {
    return new PoolClosedError(this.#terminated ? "The pool was terminated; create a new Pool to run more tasks." : "The pool is closed; create a new Pool to run more tasks.");
  }

  #submit(task: unknown, args: readonly unknown[], mode: RunRequest["mode"], options: TaskOptions | undefined): Future<unknown> {
    const future = new Future<unknown>();
    try {
      checkKnownKeys(options, TASK_OPTION_KEYS, "Task options");
      if (this.#closing) throw this.#closedError();
      const target = resolveTarget(task as string | AnyFunction, this.#module);
      this.#enqueue(future, target, args, mode, options);
    } catch (error) {
      future._fail(error);
    }
    return future;
  }

  #enqueue(future: Future<unknown>, target: TaskTarget, args: readonly unknown[], mode: RunRequest["mode"], options: TaskOptions | undefined): void {
    if (!Array.isArray(args)) {
      throw new InvalidArgumentError(`Task arguments must be an array (the argument list); got ${args === null ? "null" : typeof args}. Use [] for none.`);
    }
    const timeoutMs = checkDuration(options?.timeout, "Task timeout") ?? this.#taskTimeout;
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new InvalidArgumentError("Task option signal must be an AbortSignal.");
    }
    if (signal?.aborted) throw abortReasonToError(signal.reason);
    const prepared = prepareArgs(args, this.kind);
    const transfer = this.kind === "thread" ? checkTransferList(options?.transfer) : undefined;
    if (this.kind === "process") checkTransferList(options?.transfer);
    if (this.#queue.size >= this.#maxQueue) {
      throw new QueueFullError(`The pool's queue is full (maxQueue ${this.#maxQueue}); await pool.ready() before submitting more, or raise maxQueue.`);
    }
    const task: PendingTask = {
      request: { id: this.#nextTaskId++, target, args: prepared.args, encoded: prepared.encoded, mode, ...(timeoutMs !== undefined && timeoutMs !== Infinity ? { timed: true } : {}) },
      future,
      transfer,
      timeoutMs: timeoutMs === Infinity ? undefined : timeoutMs,
      callerSite: this.#captureCallerStack ? this.#callerSite() : undefined,
      removed: false,
      abandoned: false,
      slot: undefined,
      signal,
      onAbort: undefined,
      timer: undefined,
    };
    future._onCancel((reason) => this.#abort(task, reason instanceof Error ? reason : abortReasonToError(reason), true));
    if (signal) {
      task.onAbort = () => this.#abort(task, abortReasonToError(signal.reason), true);
      signal.addEventListener("abort", task.onAbort, { once: true });
    }
    this.#startFailures = Math.min(this.#startFailures, START_FAILURE_LIMIT - 1);
    this.#queue.push(task);
    this.#emit("queued", task);
    this.#schedulePump();
  }

  #callerSite(): Error {
    if (this.#burstSite === undefined || this.#queue.size < BURST_QUEUE_LENGTH) this.#burstSite = new Error("caller");
    return this.#burstSite;
  }

  async #mapChunks(task: unknown, items: Iterable<unknown>, mode: "map" | "starmap", options: MapOptions | undefined): Promise<unknown[]> {
    checkKnownKeys(options, MAP_OPTION_KEYS, "map options");
    if (items === null || typeof (items as Iterable<unknown>)?.[Symbol.iterator] !== "function") {
      throw new InvalidArgumentError(`map() takes an iterable of items; got ${items === null ? "null" : typeof items}.`);
    }
    const list = Array.isArray(items) ? (items as unknown[]) : Array.from(items);
    let chunksize = checkCount(options?.chunksize, "chunksize", 1);
    if (chunksize === undefined) {
      // Python's Pool.map: about four chunks per worker.
      chunksize = Math.max(1, Math.ceil(list.length / (this.size * 4)));
    }
    const chunkOptions: TaskOptions = { signal: options?.signal, timeout: options?.timeout };
    const futures: Future<unknown>[] = [];
    for (let i = 0; i < list.length; i += chunksize) {
      futures.push(this.#submit(task, [list.slice(i, i + chunksize)], mode, chunkOptions));
    }
    const chunks = (await Promise.all(futures)) as unknown[][];
    const results = new Array<unknown>(list.length);
    let at = 0;
    for (const chunk of chunks) for (let i = 0; i < chunk.length; i++) results[at++] = chunk[i];
    return results;
  }

  async *#imap(task: unknown, items: Iterable<unknown> | AsyncIterable<unknown>, ordered: boolean, options: ImapOptions | undefined): AsyncGenerator<unknown, void, undefined> {
    checkKnownKeys(options, IMAP_OPTION_KEYS, "imap options");
    const chunksize = checkCount(options?.chunksize, "chunksize", 1) ?? 1;
    const buffer = checkCount(options?.buffer, "buffer", 1) ?? this.size * 2;
    const isAsync = items != null && typeof (items as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
    if (!isAsync && (items == null || typeof (items as Iterable<unknown>)[Symbol.iterator] !== "function")) {
      throw new InvalidArgumentError(`imap() takes an iterable or async iterable of items; got ${items === null ? "null" : typeof items}.`);
    }
    const source = isAsync ? (items as AsyncIterable<unknown>)[Symbol.asyncIterator]() : (items as Iterable<unknown>)[Symbol.iterator]();
    const chunkOptions: TaskOptions = { signal: options?.signal, timeout: options?.timeout };
    const inFlight: Future<unknown>[] = [];
    const finished: Future<unknown>[] = [];
    let wake: (() => void) | undefined;
    let exhausted = false;
    const refill = async () => {
      while (!exhausted && inFlight.length < buffer) {
        const chunk: unknown[] = [];
        while (chunk.length < chunksize) {
          const step = await source.next();
          if (step.done) {
            exhausted = true;
            break;
          }
          chunk.push(step.value);
        }
        if (chunk.length === 0) break;
        const future = this.#submit(task, [chunk], "map", chunkOptions);
        inFlight.push(future);
        if (!ordered) {
          const settle = () => {
            finished.push(future);
            wake?.();
          };
          future.then(settle, settle);
        }
      }
    };
    try {
      await refill();
      while (inFlight.length > 0) {
        let next: Future<unknown>;
        if (ordered) {
          next = inFlight[0]!;
          await next.then(() => undefined, () => undefined);
        } else {
          while (finished.length === 0) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          next = finished.shift()!;
        }
        inFlight.splice(inFlight.indexOf(next), 1);
        const results = (await next) as unknown[];
        await refill();
        yield* results;
      }
    } finally {
      for (const future of inFlight) future.cancel(new AbortError("The imap consumer stopped before this chunk was used."));
      if (!exhausted) await source.return?.();
    }
  }

  // ----- internals: scheduling ----------------------------------------------------------------

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#burstSite = undefined;
      this.#pump();
    });
  }

  #pipelineDepth(workers: number): number {
    const perWorker = Math.ceil(this.#queue.size / Math.max(1, workers));
    if (this.#averageTaskMs === undefined) return Math.max(1, Math.min(4, perWorker));
    if (this.#averageTaskMs > LONG_TASK_MS) return 1;
    return Math.max(1, Math.min(MAX_PIPELINE, perWorker));
  }

  #pump(): void {
    if (this.#terminated || this.#queue.size === 0) return;
    let idle = 0;
    let usable = 0;
    for (const slot of this.#slots) {
      if (slot.retiring || slot.exited) continue;
      usable++;
      if (!slot.busy) idle++;
    }
    while (usable < this.size && this.#queue.size > idle && this.#startFailures < START_FAILURE_LIMIT) {
      if (!this.#spawn()) break;
      usable++;
      idle++;
    }
    const depth = this.#pipelineDepth(usable);
    const slots = [...this.#slots].filter((s) => !s.retiring && !s.exited).sort((a, b) => a.inflight.length - b.inflight.length);
    for (const slot of slots) {
      if (this.#queue.size === 0) break;
      const limit = Math.min(depth, this.#maxTasksPerWorker - slot.dispatched + slot.inflight.length);
      const room = limit - slot.inflight.length;
      if (room > 0) this.#dispatch(slot, room);
    }
    this.#wakeRoomWaiters();
  }

  #spawn(): boolean {
    let endpoint;
    try {
      endpoint = this.#adapter.start(this.kind, {
        ...this.#workerOptions,
        name: this.#workerOptions.name ?? `weft-${this.kind}`,
        ...(this.#module === undefined ? {} : { module: this.#module }),
      });
    } catch (error) {
      const failure = new WorkerStartError(`The ${this.#adapter.runtime} adapter could not start a ${this.kind} worker: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      for (const task of this.#queue.drain()) this.#settleFailure(task, failure, "failed");
      this.#checkDrained();
      return false;
    }
    const slot = new WorkerSlot(endpoint, this.#nextWorkerNumber++);
    if (this.kind === "thread") {
      const lane = this.#adapter.capabilities.sharedMemory && fastLaneAvailable() ? createFastLaneBuffers() : undefined;
      if (lane) slot.fastLane = new FastLaneCaller(lane, (message) => this.#onMessage(slot, message as FromWorker));
      endpoint.send({ type: "init", thread: prepareThreadBootstrap(), fastLane: lane });
    }
    this.#slots.add(slot);
    endpoint.onMessage((message) => this.#onMessage(slot, message as FromWorker));
    endpoint.onExit((info) => this.#onExit(slot, info));
    this.#emitWorker("workerstart", slot);
    return true;
  }

  #dispatch(slot: WorkerSlot, room: number): void {
    const batch: PendingTask[] = [];
    while (batch.length < room) {
      const next = this.#queue.peek();
      if (!next) break;
      // A task with an AbortSignal goes only to an idle worker, so that until it starts it stays
      // here, where aborting it removes it for sure (a worker cannot see an abort message while
      // it runs the tasks queued before it).
      if (next.signal && (slot.busy || batch.length > 0)) break;
      batch.push(this.#queue.shift()!);
    }
    if (batch.length === 0) return;
    const wasIdle = !slot.busy;
    const sent = this.#send(slot, batch);
    if (sent.length === 0) return;
    if (slot.idleTimer !== undefined) {
      clearTimeout(slot.idleTimer);
      slot.idleTimer = undefined;
    }
    if (wasIdle) {
      slot.setKeepAlive(true);
      this.#busySince.set(slot, performance.now());
      slot.headStartedAt = performance.now();
      this.#headStarted(slot);
    }
  }

  /** Sends a batch; if the transport refuses it, retries one by one so only the bad task fails. */
  #send(slot: WorkerSlot, batch: PendingTask[]): PendingTask[] {
    const trySend = (tasks: PendingTask[]): boolean => {
      const transfer = tasks.flatMap((t) => t.transfer ?? []);
      try {
        const message = { type: "run", tasks: tasks.map((t) => t.request) };
        // One task for an idle worker: the shared-memory mailbox skips both event loops.
        const viaLane = tasks.length === 1 && transfer.length === 0 && !slot.busy && slot.ready && !tasks[0]!.request.encoded && slot.fastLane?.trySend(message);
        if (!viaLane) slot.send(message, transfer.length ? transfer : undefined);
        else if (this.#spinWaitUs > 0) {
          // After this task is recorded as sent (the rest of #send), wait briefly for its answer.
          const lane = slot.fastLane!;
          queueMicrotask(() => lane.spin(this.#spinWaitUs));
        }
        return true;
      } catch (error) {
        if (tasks.length === 1) this.#settleFailure(tasks[0]!, error, "failed");
        return false;
      }
    };
    const sent = trySend(batch) ? batch : batch.filter((task) => trySend([task]));
    for (const task of sent) {
      task.slot = slot;
      slot.inflight.push(task);
      slot.dispatched++;
    }
    this.#checkDrained();
    return sent;
  }

  /** The first task in a worker's list has just started running. */
  #headStarted(slot: WorkerSlot): void {
    const head = slot.inflight[0];
    if (!head || !slot.ready) return;
    if (head.abandoned) {
      this.#startGrace(slot, head);
      return;
    }
    head.future._markRunning();
    if (head.timeoutMs !== undefined) {
      head.timer = setTimeout(() => {
        this.#abort(head, new TimeoutError(`The task ran longer than its timeout of ${head.timeoutMs} ms.`), false);
      }, head.timeoutMs);
    }
    this.#emit("running", head);
  }

  #startGrace(slot: WorkerSlot, task: PendingTask): void {
    if (slot.graceTimer !== undefined) clearTimeout(slot.graceTimer);
    slot.graceTimer = setTimeout(() => {
      slot.graceTimer = undefined;
      if (slot.inflight[0] === task && !slot.exited) this.#stopSlot(slot);
    }, this.#abortGrace);
  }

  #abort(task: PendingTask, error: Error, isCancel: boolean): void {
    if (task.future.done()) return;
    const slot = task.slot;
    if (!slot) {
      this.#queue.remove(task);
      this.#settleFailure(task, error, isCancel ? "cancelled" : "failed");
      this.#wakeRoomWaiters();
      this.#checkDrained();
      return;
    }
    task.abandoned = true;
    this.#settleFailure(task, error, isCancel ? "cancelled" : "failed");
    try {
      slot.send({ type: "abort", id: task.request.id, reason: serializeError(error) });
    } catch {
      // The worker is already gone; its exit handler requeues or drops what it held.
    }
    if (slot.inflight[0] === task) this.#startGrace(slot, task);
  }

  // ----- internals: results and exits ---------------------------------------------------------

  #onMessage(slot: WorkerSlot, message: FromWorker): void {
    if (message.type === "ready") {
      slot.ready = true;
      this.#startFailures = 0;
      // A task's run time starts when a worker can run it, not while the worker boots.
      if (slot.busy) {
        slot.headStartedAt = performance.now();
        this.#headStarted(slot);
      }
      return;
    }
    if (message.type === "channel") {
      slot.channels().handle(message);
      return;
    }
    if (message.type === "fatal") {
      slot.fatalError = deserializeError(message.error);
      return;
    }
    if (message.type !== "results") return;
    let headChanged = false;
    for (const outcome of message.results) {
      const index = slot.inflight.findIndex((t) => t.request.id === outcome.id);
      if (index < 0) continue;
      const task = slot.inflight[index]!;
      slot.inflight.splice(index, 1);
      if (index === 0) {
        const now = performance.now();
        const ms = now - slot.headStartedAt;
        this.#averageTaskMs = this.#averageTaskMs === undefined ? ms : this.#averageTaskMs * 0.9 + ms * 0.1;
        slot.headStartedAt = now;
        headChanged = true;
      }
      slot.completed++;
      this.#settleOutcome(task, outcome);
    }
    if (headChanged) {
      if (slot.graceTimer !== undefined && slot.inflight[0]?.abandoned !== true) {
        clearTimeout(slot.graceTimer);
        slot.graceTimer = undefined;
      }
      this.#headStarted(slot);
    }
    if (!slot.busy) this.#becameIdle(slot);
    if (slot.completed >= this.#maxTasksPerWorker && !slot.retiring) slot.retiring = true;
    if (slot.retiring && !slot.busy) this.#stopSlot(slot);
    this.#pump();
    this.#checkDrained();
  }

  #becameIdle(slot: WorkerSlot): void {
    const since = this.#busySince.get(slot);
    if (since !== undefined) {
      this.#busyMs += performance.now() - since;
      this.#busySince.delete(slot);
    }
    if (this.#queue.size > 0) return;
    slot.setKeepAlive(false);
    if (this.#idleTimeout !== Infinity && !slot.retiring) {
      slot.idleTimer = setTimeout(() => {
        slot.idleTimer = undefined;
        if (!slot.busy) this.#stopSlot(slot);
      }, this.#idleTimeout);
    }
  }

  #settleOutcome(task: PendingTask, outcome: TaskOutcome): void {
    if (task.abandoned) return;
    if (outcome.ok) {
      this.#detach(task);
      this.#completed++;
      task.future._fulfil(outcome.encoded ? reviveValue(outcome.value) : outcome.value);
      this.#emit("completed", task);
    } else {
      this.#settleFailure(task, deserializeError(outcome.error, task.callerSite?.stack), "failed");
    }
  }

  #settleFailure(task: PendingTask, error: unknown, as: "failed" | "cancelled"): void {
    if (task.future.done()) return;
    this.#detach(task);
    if (as === "cancelled") this.#cancelled++;
    else this.#failed++;
    task.future._fail(error, as === "cancelled");
    this.#emit(as, task, error);
  }

  #detach(task: PendingTask): void {
    if (task.timer !== undefined) clearTimeout(task.timer);
    task.timer = undefined;
    if (task.onAbort && task.signal) task.signal.removeEventListener("abort", task.onAbort);
    task.onAbort = undefined;
  }

  #stopSlot(slot: WorkerSlot): void {
    if (slot.retiring && slot.exited) return;
    slot.retiring = true;
    void slot.endpoint.terminate().catch(() => undefined);
  }

  #onExit(slot: WorkerSlot, info: ExitInfo): void {
    if (slot.exited) return;
    slot.exited = true;
    slot.release();
    this.#slots.delete(slot);
    const since = this.#busySince.get(slot);
    if (since !== undefined) {
      this.#busyMs += performance.now() - since;
      this.#busySince.delete(slot);
    }
    const held = slot.inflight.splice(0);
    const expected = slot.retiring || this.#terminated;
    if (!expected && !slot.ready) {
      this.#startFailures++;
      this.#lastStartFailure = info;
    }
    let requeue = held;
    if (!expected && slot.ready && held.length > 0) {
      const [victim, ...rest] = held;
      requeue = rest;
      if (victim && !victim.abandoned) this.#settleFailure(victim, new WorkerExitError(info.code, info.signal, info.error ?? slot.fatalError), "failed");
    }
    const keep = requeue.filter((task) => !task.abandoned && !task.future.done());
    for (const task of keep) task.slot = undefined;
    if (this.#terminated) {
      for (const task of keep) this.#settleFailure(task, this.#closedError(), "cancelled");
    } else {
      this.#queue.unshiftAll(keep);
    }
    this.#emitWorker("workerexit", slot, info);
    if (this.#startFailures >= START_FAILURE_LIMIT) {
      const how = info.signal ? `was killed by ${info.signal}` : `exited with code ${info.code}`;
      const failure = new WorkerStartError(
        `${START_FAILURE_LIMIT} ${this.kind} workers in a row ended before they were ready (the last ${how}); the pool stopped starting new ones. ` +
          `Check the worker's environment and options; submitting again retries.`,
        { cause: this.#lastStartFailure?.error },
      );
      for (const task of this.#queue.drain()) this.#settleFailure(task, failure, "failed");
    }
    this.#pump();
    this.#checkDrained();
  }

  // ----- internals: draining and stopping -----------------------------------------------------

  #isDrained(): boolean {
    if (this.#queue.size > 0) return false;
    for (const slot of this.#slots) if (slot.inflight.some((t) => !t.abandoned)) return false;
    return true;
  }

  #whenDrained(): Promise<void> {
    if (this.#isDrained()) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #checkDrained(): void {
    if (this.#drainWaiters.length === 0 || !this.#isDrained()) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of waiters) wake();
  }

  #wakeRoomWaiters(): void {
    if (this.#roomWaiters.length === 0) return;
    if (!this.#closing && this.#queue.size >= this.#maxQueue) return;
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const wake of waiters) wake();
  }

  async #stopAll(): Promise<void> {
    const exits: Promise<void>[] = [];
    for (const slot of this.#slots) {
      slot.retiring = true;
      slot.release();
      exits.push(slot.endpoint.terminate().catch(() => undefined));
    }
    await Promise.all(exits);
  }

  // ----- internals: events ------------------------------------------------------------------

  #emit(type: PoolEventType, task: PendingTask, error?: unknown): void {
    if (!this.#listenerCounts.get(type)) return;
    this.dispatchEvent(new CustomEvent(type, { detail: { id: task.request.id, error } }));
  }

  #emitWorker(type: PoolEventType, slot: WorkerSlot, exit?: ExitInfo): void {
    if (!this.#listenerCounts.get(type)) return;
    this.dispatchEvent(new CustomEvent(type, { detail: { worker: slot.number, pid: slot.endpoint.pid, exit } }));
  }
}
