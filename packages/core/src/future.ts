/**
 * A promise-like handle on one submitted task, after Python's `concurrent.futures.Future`:
 * awaitable, cancellable, and inspectable without awaiting.
 */
import { AbortError } from "./errors.js";

export type FutureState = "pending" | "running" | "fulfilled" | "rejected" | "cancelled";

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

  #ensurePromise(): Promise<T> {
    if (this.#promise) return this.#promise;
    if (this.#state === "fulfilled") this.#promise = Promise.resolve(this.#value as T);
    else if (this.done) this.#promise = Promise.reject(this.#error);
    else {
      this.#promise = new Promise<T>((resolve, reject) => {
        this.#resolve = resolve;
        this.#reject = reject;
      });
    }
    return this.#promise;
  }

  /** @internal Settles the future; later calls are ignored. */
  _fulfil(value: T): void {
    if (this.done) return;
    this.#state = "fulfilled";
    this.#value = value;
    this.#resolve?.(value);
  }

  /** @internal */
  _fail(error: unknown, cancelled = false): void {
    if (this.done) return;
    this.#state = cancelled ? "cancelled" : "rejected";
    this.#error = error;
    if (this.#reject) this.#reject(error);
    else if (!cancelled) this.#ensurePromise();
  }

  /** @internal */
  _markRunning(): void {
    if (this.#state === "pending") this.#state = "running";
  }

  /** @internal */
  _onCancel(canceller: (reason: unknown) => void): void {
    this.#canceller = canceller;
  }

  get state(): FutureState {
    return this.#state;
  }

  /** True once the task has a result, an error, or was cancelled (Python's `done()`). */
  get done(): boolean {
    return this.#state !== "pending" && this.#state !== "running";
  }

  /** True if the task was cancelled before it produced a result (Python's `cancelled()`). */
  get cancelled(): boolean {
    return this.#state === "cancelled";
  }

  /** The value of a fulfilled future; throws if it is not fulfilled yet (use `await` to wait). */
  result(): T {
    if (this.#state === "fulfilled") return this.#value as T;
    if (this.done) throw this.#error;
    throw new Error("The future is not done yet; await it instead.");
  }

  /** The error of a rejected or cancelled future, `undefined` if it was fulfilled (Python's `exception()`). */
  exception(): unknown {
    if (!this.done) throw new Error("The future is not done yet; await it instead.");
    return this.#state === "fulfilled" ? undefined : this.#error;
  }

  /**
   * Cancels the task: a queued task never runs; a running one is aborted in its worker. Returns
   * false if the future was already done (cancelling a settled task changes nothing).
   */
  cancel(reason?: unknown): boolean {
    if (this.done) return false;
    const error = reason instanceof Error ? reason : new AbortError("The task was cancelled.", reason === undefined ? undefined : { cause: reason });
    if (this.#canceller) this.#canceller(error);
    else this._fail(error, true);
    return true;
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#ensurePromise().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
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
}
