/**
 * A pool's front: everything a caller of a pool deals with, whatever runs the tasks — refusing
 * submissions after close, turning a bad submission into a rejected future (never a throw),
 * cancellation by `future.cancel()` and AbortSignal, the ledger of pending tasks, map/imap over
 * submit, close (drain, then let go), terminate (settle everything now), the counts of how
 * tasks ended, and back-pressure: `maxQueue` over the count of tasks its dispatcher says wait to
 * start ({@link TaskDispatcher.queued}), with `needsDrain`, `ready()`, QueueFullError and one
 * "drain" per rise and fall. Every task it hands out settles exactly once, whatever its dispatcher does (see
 * the contract in dispatcher.ts). The local Pool and `@weft/cluster`'s ClusterPool are each
 * this front over their own {@link TaskDispatcher}.
 */
import { QueueFullError } from "../errors.js";
import { Future, failFuture, onFutureCancel } from "../future.js";
import { abortReasonToError, checkCount } from "../options.js";
import type { TaskDispatcher } from "./dispatcher.js";
import type { FrontTask, TaskEnd, TaskObserver } from "./front-task.js";
import { type ImapOptions, type MapOptions, type SubmitChunk, imapChunks, mapChunks } from "./map.js";
import type { PoolErrorDetail } from "./worker-slot.js";

/** What the front needs from the pool it serves, besides its dispatcher. */
export interface FrontSettings<T extends FrontTask> {
  /** The error a submission (and `ready()`) gets once the pool is closed; `terminated` says whether by `terminate()`. */
  closedError(terminated: boolean): Error;
  /** The error every task unsettled at `terminate()` rejects with (as a cancellation). */
  terminatedError(): Error;
  /** Hears of every task's end, once, after its future settled and the counts were updated: the pool's events. */
  ended?(task: T, end: TaskEnd, error?: unknown): void;
  /** Where a map's throwing `onProgress` is reported (the pool's "error" event); by default nowhere. */
  report?(detail: PoolErrorDetail): void;
  /** Most tasks waiting to start (the dispatcher's `queued`), as {@link checkMaxQueue} resolved the pool's option. Default Infinity. */
  readonly maxQueue?: number;
  /** `needsDrain` fell back to false: the pool's "drain" event. */
  drained?(): void;
}

/** maxQueue "auto" is capacity², but never fewer than this (a pool of 1 to 3 workers still batches). */
const MIN_AUTO_MAX_QUEUE = 16;

/**
 * Checks a pool's `maxQueue` option and resolves it: a whole number ≥ 0, Infinity (also when
 * left out), or `"auto"` for a pool that runs `capacity` tasks at once — capacity² (at least 16),
 * piscina's convention: enough waiting tasks to keep every worker's pipeline fed, few enough
 * that a producer learns early it outpaces the pool. Throws InvalidArgumentError otherwise.
 */
export function checkMaxQueue(value: unknown, capacity: number): number {
  if (value === "auto") return Math.max(MIN_AUTO_MAX_QUEUE, capacity * capacity);
  return checkCount(value, "maxQueue", 0, true, ' Or "auto" for size² (at least 16).') ?? Infinity;
}

/** A settled, failed future for a submission refused before it became a task. */
function refused(error: unknown): Future<unknown> {
  const future = new Future<unknown>();
  failFuture(future, error);
  return future;
}

export class TaskFront<T extends FrontTask> {
  readonly #dispatcher: TaskDispatcher<T>;
  readonly #settings: FrontSettings<T>;
  /** Every task handed out and not yet settled, in submission order. */
  readonly #pending = new Set<T>();
  readonly #observer: TaskObserver = { ended: (task, end, error) => this.#ended(task as T, end, error) };
  #drainWaiters: (() => void)[] = [];
  /** Callers of `ready()` waiting for room under maxQueue; woken with an error once the pool closes. */
  #roomWaiters: ((error?: Error) => void)[] = [];
  /** needsDrain was true when last looked at: its fall to false is the "drain" event. */
  #neededDrain = false;
  /** The resolved `maxQueue`. */
  readonly maxQueue: number;
  /** `queued` at or above it is needsDrain: maxQueue when finite, else the dispatcher's capacity. */
  readonly #drainMark: number;
  #closing = false;
  #terminated = false;
  #closePromise: Promise<void> | undefined;
  #terminatePromise: Promise<void> | undefined;
  completed = 0;
  failed = 0;
  cancelled = 0;

  constructor(dispatcher: TaskDispatcher<T>, settings: FrontSettings<T>) {
    this.#dispatcher = dispatcher;
    this.#settings = settings;
    this.maxQueue = settings.maxQueue ?? Infinity;
    this.#drainMark = this.maxQueue === Infinity ? dispatcher.capacity : this.maxQueue;
    dispatcher.watchQueue(() => this.#queueChanged());
  }

  // ----- submitting ----------------------------------------------------------------------------

  /**
   * Submits one task: `make` checks the submission and builds the task (throwing a named error
   * on bad input: the future rejects with it, and no task exists). A valid submission that finds
   * `maxQueue` tasks waiting is refused with QueueFullError (so a bad one still hears what is
   * wrong with it). Never throws.
   */
  submit(make: (observer: TaskObserver) => T): Future<unknown> {
    let task: T;
    try {
      if (this.#closing) throw this.#settings.closedError(this.#terminated);
      task = make(this.#observer);
      if (!this.hasRoom) {
        throw new QueueFullError(`The pool's queue is full (maxQueue ${this.maxQueue}); await pool.ready() before submitting more, or raise maxQueue.`);
      }
    } catch (error) {
      return refused(error);
    }
    this.#pending.add(task);
    onFutureCancel(task.future, (reason) => this.#cancel(task, reason instanceof Error ? reason : abortReasonToError(reason)));
    task.watchSignal(() => this.#cancel(task, abortReasonToError(task.signal!.reason)));
    try {
      this.#dispatcher.dispatch(task);
    } catch (error) {
      task.fail(error, "failed");
    }
    this.#queueChanged();
    return task.future;
  }

  /** Python's `map` over `submitChunk` (which submits through {@link submit}). */
  map(submitChunk: SubmitChunk, items: Iterable<unknown>, options: MapOptions | undefined): Promise<unknown[]> {
    return mapChunks(submitChunk, items, this.#dispatcher.capacity, options, this.#settings.report);
  }

  /** Python's `imap` (`ordered`) or `imap_unordered` over `submitChunk`. */
  imap(submitChunk: SubmitChunk, items: Iterable<unknown> | AsyncIterable<unknown>, ordered: boolean, options: ImapOptions | undefined): AsyncGenerator<unknown, void, undefined> {
    return imapChunks(submitChunk, items, ordered, this.#dispatcher.capacity, options, this.#settings.report);
  }

  /**
   * The pool's `ready()`: the dispatcher's (a throw becomes a rejection), then room under
   * maxQueue. Rejects with the pool's closed error if it closes first.
   */
  ready(): Promise<void> {
    let dispatcherReady: Promise<void>;
    try {
      dispatcherReady = this.#dispatcher.ready();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.hasRoom ? dispatcherReady : dispatcherReady.then(() => this.#room());
  }

  // ----- back-pressure ---------------------------------------------------------------------------

  /** Fewer than maxQueue tasks wait to start: a submission would be taken. */
  get hasRoom(): boolean {
    return this.#dispatcher.queued < this.maxQueue;
  }

  /**
   * Tasks wait to start up to the high-water mark: maxQueue when it is finite (the next
   * submission would be refused), else the dispatcher's capacity (more wait than can run).
   */
  get needsDrain(): boolean {
    return this.#dispatcher.queued >= this.#drainMark;
  }

  #room(): Promise<void> {
    if (this.#closing) return Promise.reject(this.#settings.closedError(this.#terminated));
    if (this.hasRoom) return Promise.resolve();
    return new Promise((resolve, reject) => this.#roomWaiters.push((error) => (error ? reject(error) : resolve())));
  }

  /** The dispatcher's `queued` may have moved: note a rise to needsDrain, announce its fall, wake room waiters. */
  #queueChanged(): void {
    const needsDrain = this.needsDrain;
    if (needsDrain !== this.#neededDrain) {
      this.#neededDrain = needsDrain;
      if (!needsDrain) this.#settings.drained?.();
    }
    if (this.#roomWaiters.length === 0 || (!this.#closing && !this.hasRoom)) return;
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    const error = this.#closing ? this.#settings.closedError(this.#terminated) : undefined;
    for (const wake of waiters) wake(error);
  }

  #cancel(task: T, reason: Error): void {
    if (task.settled) return;
    try {
      this.#dispatcher.cancel(task, reason);
    } catch {
      // A dispatcher that cannot withdraw the work still cannot keep the caller waiting.
    }
    task.fail(reason, "cancelled");
  }

  // ----- the ledger ------------------------------------------------------------------------------

  /** Tasks handed out and not yet settled. */
  get size(): number {
    return this.#pending.size;
  }

  /** The unsettled tasks, in submission order (a copy: settling them while iterating is fine). */
  pending(): T[] {
    return [...this.#pending];
  }

  /** Resolves once no task is pending (at once if none is). */
  whenDrained(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #ended(task: T, end: TaskEnd, error: unknown): void {
    this.#pending.delete(task);
    this[end]++;
    try {
      this.#dispatcher.settled?.(task, end);
    } catch {
      // Forgetting is the dispatcher's business: its failure must not stop the settling of others.
    }
    this.#settings.ended?.(task, end, error);
    this.#queueChanged();
    if (this.#pending.size === 0 && this.#drainWaiters.length > 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  // ----- the end -------------------------------------------------------------------------------

  /** True once `close()` or `terminate()` was called. */
  get closed(): boolean {
    return this.#closing;
  }

  get terminated(): boolean {
    return this.#terminated;
  }

  /** Refuses new tasks, waits until every pending one settled, then shuts the dispatcher down. The same promise every time. */
  close(): Promise<void> {
    if (this.#closePromise) return this.#closePromise;
    this.#stopSubmissions();
    this.#closePromise = this.whenDrained().then(() => this.#shutdown(false));
    return this.#closePromise;
  }

  /**
   * Settles every pending task now (rejected with the pool's terminated error, as cancelled),
   * then shuts the dispatcher down; resolves after that and after a `close()` called before.
   */
  terminate(): Promise<void> {
    if (this.#terminatePromise) return this.#terminatePromise;
    this.#stopSubmissions();
    this.#terminated = true;
    const error = this.#settings.terminatedError();
    try {
      this.#dispatcher.terminate(error);
    } catch {
      // Whatever the dispatcher could not stop, its tasks settle here all the same.
    }
    for (const task of this.pending()) task.fail(error, "cancelled");
    this.#terminatePromise = this.#shutdown(true).then(() => this.#closePromise);
    return this.#terminatePromise;
  }

  /** The dispatcher's shutdown, a throw turned into a rejection. */
  #shutdown(terminated: boolean): Promise<void> {
    try {
      return Promise.resolve(this.#dispatcher.shutdown(terminated));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #stopSubmissions(): void {
    if (this.#closing) return;
    this.#closing = true;
    try {
      this.#dispatcher.close();
    } catch {
      // Submissions are refused by the front itself; the dispatcher's close only wakes its waiters.
    }
    this.#queueChanged();
  }
}
