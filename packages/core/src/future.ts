/**
 * A promise-like handle on one submitted task, after Python's `concurrent.futures.Future`:
 * awaitable, cancellable, and inspectable without awaiting.
 *
 * weft has two "futures", as Python has: this one (a pool task, `concurrent.futures.Future`) and
 * `asyncio.Task` (a coroutine on this event loop). Both follow Python: `done()`, `cancelled()` and
 * `running()` are methods, and `exception()` of a cancelled future throws the cancellation error
 * (Python raises `CancelledError`), as does `result()`.
 */
import { AbortError, InvalidStateError } from "./errors.js";

interface Settlers {
  fulfil<T>(future: Future<T>, value: T): boolean;
  fail<T>(future: Future<T>, error: unknown, cancelled?: boolean): boolean;
  markRunning<T>(future: Future<T>): void;
  onCancel<T>(future: Future<T>, canceller: (reason: unknown) => void): void;
}
let settlers: Settlers;

export type FutureState = "pending" | "running" | "fulfilled" | "rejected" | "cancelled";

/** Called once with the future when it is done (Python's `add_done_callback`). */
export type DoneCallback<T> = (future: Future<T>) => void;

/**
 * The result of a task that may not have finished. `await future` gives its value or throws its
 * error. Unlike Python, `cancel()` also stops a running task (the worker sees its AbortSignal
 * fire, and is replaced after the pool's grace period if the task ignores it).
 */
export class Future<T> implements PromiseLike<T> {
  // The promise is made on first use, so that a future nobody awaits and that is cancelled (by
  // cancel(), an abort or pool.terminate()) does not surface as an unhandled rejection; a real
  // failure nobody awaits still does, as any rejected promise would.
  #promise: Promise<T> | undefined;
  #state: FutureState = "pending";
  #value: T | undefined;
  #error: unknown;
  #canceller: ((reason: unknown) => void) | undefined;
  #resolve: ((value: T) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  #callbacks: DoneCallback<T>[] | undefined;

  #ensurePromise(): Promise<T> {
    if (this.#promise) return this.#promise;
    if (this.#state === "fulfilled") this.#promise = Promise.resolve(this.#value as T);
    else if (this.done()) this.#promise = Promise.reject(this.#error);
    else {
      this.#promise = new Promise<T>((resolve, reject) => {
        this.#resolve = resolve;
        this.#reject = reject;
      });
    }
    return this.#promise;
  }

  // Settling is not the holder's to do: the pool that made the future does it, through
  // futureController() or the functions below, which reach these private methods.
  static {
    settlers = {
      fulfil: (future, value) => future.#fulfil(value),
      fail: (future, error, cancelled) => future.#fail(error, cancelled),
      markRunning: (future) => future.#markRunning(),
      onCancel: (future, canceller) => future.#onCancel(canceller),
    };
  }

  #fulfil(value: T): boolean {
    if (this.done()) return false;
    this.#state = "fulfilled";
    this.#value = value;
    this.#resolve?.(value);
    this.#runCallbacks();
    return true;
  }

  #fail(error: unknown, cancelled = false): boolean {
    if (this.done()) return false;
    this.#state = cancelled ? "cancelled" : "rejected";
    this.#error = error;
    if (this.#reject) this.#reject(error);
    else if (!cancelled) this.#ensurePromise();
    this.#runCallbacks();
    return true;
  }

  #markRunning(): void {
    if (this.#state === "pending") this.#state = "running";
  }

  #onCancel(canceller: (reason: unknown) => void): void {
    this.#canceller = canceller;
  }

  get state(): FutureState {
    return this.#state;
  }

  /** True once the task has a result, an error, or was cancelled (Python's `done()`). */
  done(): boolean {
    return this.#state !== "pending" && this.#state !== "running";
  }

  /** True if the task was cancelled before it produced a result (Python's `cancelled()`). */
  cancelled(): boolean {
    return this.#state === "cancelled";
  }

  /** True while a worker runs the task (Python's `running()`). */
  running(): boolean {
    return this.#state === "running";
  }

  /**
   * The value of a fulfilled future (Python's `result()`); throws the task's error if it failed
   * or the cancellation error if it was cancelled. Python's `result()` blocks until done; a
   * JavaScript caller awaits the future instead, so before that this throws InvalidStateError.
   */
  result(): T {
    if (this.#state === "fulfilled") return this.#value as T;
    if (this.done()) throw this.#error;
    throw new InvalidStateError("The future is not done yet: await it instead of calling result().");
  }

  /**
   * The error of a failed future, `undefined` if it was fulfilled (Python's `exception()`).
   * Throws the cancellation error if it was cancelled, as Python raises `CancelledError`, and
   * InvalidStateError if it is not done yet (await it first).
   */
  exception(): unknown {
    if (!this.done()) throw new InvalidStateError("The future is not done yet: await it instead of calling exception().");
    if (this.#state === "cancelled") throw this.#error;
    return this.#state === "fulfilled" ? undefined : this.#error;
  }

  /**
   * Calls `callback(future)` when the future is done — at once if it already is (Python's
   * `add_done_callback`). Callbacks run in the order they were added. As in Python, an error a
   * callback throws is logged and ignored: it cannot disturb the task or the other callbacks.
   */
  addDoneCallback(callback: DoneCallback<T>): void {
    if (typeof callback !== "function") throw new TypeError("addDoneCallback() takes a function.");
    if (this.done()) this.#call(callback);
    else (this.#callbacks ??= []).push(callback);
  }

  /**
   * Cancels the task: a queued task never runs; a running one is aborted in its worker. Returns
   * false if the future was already done (cancelling a settled task changes nothing).
   */
  cancel(reason?: unknown): boolean {
    if (this.done()) return false;
    const error = reason instanceof Error ? reason : new AbortError("The task was cancelled.", reason === undefined ? undefined : { cause: reason });
    if (this.#canceller) this.#canceller(error);
    else this.#fail(error, true);
    return true;
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#ensurePromise().then(onfulfilled, onrejected);
  }

  /** Typed like `Promise.prototype.catch`: the reason is `any`, so `e.name` type-checks under `strict`. */
  catch<R = never>(onrejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#ensurePromise().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#ensurePromise().finally(onfinally);
  }

  /** The underlying promise, for APIs that want a real Promise. */
  asPromise(): Promise<T> {
    return this.#ensurePromise();
  }

  get [Symbol.toStringTag](): string {
    return "Future";
  }

  #runCallbacks(): void {
    const callbacks = this.#callbacks;
    if (!callbacks) return;
    this.#callbacks = undefined;
    for (const callback of callbacks) this.#call(callback);
  }

  #call(callback: DoneCallback<T>): void {
    try {
      callback(this);
    } catch (error) {
      console.error("weft: a Future's done callback threw; the error is ignored, as Python's concurrent.futures does:", error);
    }
  }
}

/**
 * The settling side of a {@link Future}, for pools over other transports: they hand out
 * `future` and settle it through the controller, as the local Pool settles its own.
 */
export interface FutureController<T> {
  readonly future: Future<T>;
  /** Settles the future with a value; false if it was already done (later calls are ignored). */
  fulfil(value: T): boolean;
  /** Settles it with an error (`cancelled`: as a cancellation); false if it was already done. */
  fail(error: unknown, cancelled?: boolean): boolean;
  /** Marks it running (Python's `set_running_or_notify_cancel`), once a worker took it. */
  markRunning(): void;
  /** What `future.cancel()` calls to stop the work; without one, cancel() only settles it. */
  onCancel(canceller: (reason: unknown) => void): void;
}

/** A new pending Future and its controller. */
export function futureController<T>(): FutureController<T> {
  const future = new Future<T>();
  return {
    future,
    fulfil: (value) => settlers.fulfil(future, value),
    fail: (error, cancelled) => settlers.fail(future, error, cancelled),
    markRunning: () => settlers.markRunning(future),
    onCancel: (canceller) => settlers.onCancel(future, canceller),
  };
}

/** The core's own pools settle the futures they made with these (what a controller does). */
export const fulfilFuture = <T>(future: Future<T>, value: T): boolean => settlers.fulfil(future, value);
export const failFuture = <T>(future: Future<T>, error: unknown, cancelled = false): boolean => settlers.fail(future, error, cancelled);
export const markFutureRunning = <T>(future: Future<T>): void => settlers.markRunning(future);
export const onFutureCancel = <T>(future: Future<T>, canceller: (reason: unknown) => void): void => settlers.onCancel(future, canceller);
