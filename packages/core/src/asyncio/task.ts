/**
 * Task: a function running concurrently on the event loop, after Python's `asyncio.Task`.
 */
import { InvalidArgumentError } from "../errors.js";
import { InvalidStateError } from "./errors.js";
import { checkOptions, checkSignal, describe, isCancellation, onAbort, toAbortError } from "./internal.js";

/** The work a Task runs. It receives the task's AbortSignal and should pass it to everything it awaits. */
export type TaskFunction<T> = (signal: AbortSignal) => PromiseLike<T> | T;

/** Options of {@link createTask}. */
export interface TaskOptions {
  /** The task's name (default `Task-N`, as in Python). */
  name?: string;
  /** A parent signal: when it aborts, the task is cancelled (its own signal aborts with an AbortError). */
  signal?: AbortSignal;
}

type TaskState = "pending" | "running" | "fulfilled" | "rejected" | "cancelled";

let taskCounter = 0;

/**
 * A function running concurrently, after Python's `asyncio.Task`. Create one with {@link createTask}.
 *
 * - Like Python's `create_task`, the function does not start synchronously: it starts when the creator
 *   next yields (a microtask later, the JS equivalent of `loop.call_soon`). A task cancelled before it
 *   started never runs at all.
 * - `await task` gives its value or throws its error; a cancelled task throws its AbortError (Python's
 *   CancelledError).
 * - `cancel()` only *requests* cancellation, as in Python: it aborts the task's signal with an AbortError,
 *   which the function observes at its next await on that signal (its `finally` blocks run). If the
 *   function catches the AbortError and returns normally, the task completes normally, as in Python.
 * - A task that ended with an error named "AbortError" counts as cancelled (`cancelled()` is true), just as
 *   a Python task that raised CancelledError does.
 * - Difference from Python: an error nobody retrieves is not logged when the task is garbage-collected;
 *   it stays available through `exception()`. Awaiting the task late never causes an unhandled rejection.
 */
export class Task<T> implements PromiseLike<T> {
  /** The task's name, `Task-N` unless given. Mirrors Python's `get_name()`. */
  readonly name: string;
  /** The task's own signal: aborted (with an AbortError) when the task is cancelled. */
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  #state: TaskState = "pending";
  #value: T | undefined;
  #error: unknown;
  #promise: Promise<T> | undefined;
  #resolve: ((value: T) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  readonly #callbacks: ((task: Task<T>) => void)[] = [];
  #unlinkParent: () => void = () => {};

  /** Prefer {@link createTask}; `new Task(fn, options)` is the same. */
  constructor(fn: TaskFunction<T>, options?: TaskOptions) {
    if (typeof fn !== "function") {
      const hint = fn !== null && typeof (fn as { then?: unknown })?.then === "function"
        ? " A promise has already started and cannot be cancelled; pass a function instead: createTask((signal) => work(signal))."
        : "";
      throw new InvalidArgumentError(`createTask expects a function (signal) => Promise, got ${describe(fn)}.${hint}`);
    }
    checkOptions(options, ["name", "signal"], "createTask");
    const name = options?.name;
    if (name !== undefined && typeof name !== "string") {
      throw new InvalidArgumentError(`createTask: name must be a string, got ${describe(name)}.`);
    }
    const parent = checkSignal(options?.signal, "createTask");
    this.name = name ?? `Task-${++taskCounter}`;
    this.signal = this.#controller.signal;
    if (parent) {
      if (parent.aborted) this.cancel(parent.reason);
      else this.#unlinkParent = onAbort(parent, () => this.cancel(parent.reason));
    }
    queueMicrotask(() => this.#start(fn));
  }

  async #start(fn: TaskFunction<T>): Promise<void> {
    if (this.signal.aborted) {
      // Cancelled before its first step: like Python, the body never runs.
      this.#finish("cancelled", undefined, this.signal.reason);
      return;
    }
    this.#state = "running";
    try {
      const value = await fn(this.signal);
      this.#finish("fulfilled", value, undefined);
    } catch (error) {
      this.#finish(isCancellation(error) ? "cancelled" : "rejected", undefined, error);
    }
  }

  #finish(state: TaskState, value: T | undefined, error: unknown): void {
    this.#state = state;
    this.#value = value;
    this.#error = error;
    this.#unlinkParent();
    if (state === "fulfilled") this.#resolve?.(value as T);
    else this.#reject?.(error);
    for (const callback of this.#callbacks.splice(0)) this.#schedule(callback);
  }

  #schedule(callback: (task: Task<T>) => void): void {
    queueMicrotask(() => callback(this));
  }

  /**
   * Requests cancellation: aborts the task's signal with an AbortError (a string `reason` becomes its
   * message; another value becomes its `cause`). Returns false if the task is already done, true otherwise.
   * Mirrors Python's `Task.cancel(msg)`.
   */
  cancel(reason?: unknown): boolean {
    if (this.done()) return false;
    if (!this.signal.aborted) this.#controller.abort(toAbortError(reason, `Task ${this.name} was cancelled.`));
    return true;
  }

  /** True if the task ended cancelled (with an AbortError). Mirrors Python's `Task.cancelled()`. */
  cancelled(): boolean {
    return this.#state === "cancelled";
  }

  /** True once the task has a value, an error, or was cancelled. Mirrors Python's `Task.done()`. */
  done(): boolean {
    return this.#state === "fulfilled" || this.#state === "rejected" || this.#state === "cancelled";
  }

  /**
   * The task's value. Throws its error if it failed, its AbortError if it was cancelled, and an
   * InvalidStateError if it is not done yet. Mirrors Python's `Task.result()`.
   */
  result(): T {
    if (this.#state === "fulfilled") return this.#value as T;
    if (this.done()) throw this.#error;
    throw new InvalidStateError(`Task ${this.name} is not done yet: its result is not set. Await the task instead.`);
  }

  /**
   * The task's error, or undefined if it succeeded. Throws its AbortError if it was cancelled and an
   * InvalidStateError if it is not done yet. Mirrors Python's `Task.exception()`.
   */
  exception(): unknown {
    if (!this.done()) {
      throw new InvalidStateError(`Task ${this.name} is not done yet: its exception is not set. Await the task instead.`);
    }
    if (this.#state === "cancelled") throw this.#error;
    return this.#state === "rejected" ? this.#error : undefined;
  }

  /**
   * Calls `callback(task)` once the task is done (on a microtask; right away-ish if it is done already).
   * Mirrors Python's `add_done_callback`. An error thrown by the callback is reported as uncaught.
   */
  addDoneCallback(callback: (task: Task<T>) => void): void {
    if (typeof callback !== "function") {
      throw new InvalidArgumentError(`addDoneCallback expects a function, got ${describe(callback)}.`);
    }
    if (this.done()) this.#schedule(callback);
    else this.#callbacks.push(callback);
  }

  /** Removes every registration of `callback`; returns how many. Mirrors Python's `remove_done_callback`. */
  removeDoneCallback(callback: (task: Task<T>) => void): number {
    let removed = 0;
    for (let i = this.#callbacks.length - 1; i >= 0; i--) {
      if (this.#callbacks[i] === callback) {
        this.#callbacks.splice(i, 1);
        removed++;
      }
    }
    return removed;
  }

  #getPromise(): Promise<T> {
    if (!this.#promise) {
      this.#promise = new Promise<T>((resolve, reject) => {
        this.#resolve = resolve;
        this.#reject = reject;
      });
      if (this.#state === "fulfilled") this.#resolve?.(this.#value as T);
      else if (this.done()) this.#reject?.(this.#error);
    }
    return this.#promise;
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#getPromise().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#getPromise().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#getPromise().finally(onfinally);
  }

  get [Symbol.toStringTag](): string {
    return "Task";
  }

  toString(): string {
    return `Task(${this.name}, ${this.#state})`;
  }
}

/**
 * Starts `fn` as a concurrent {@link Task}. Mirrors Python's `asyncio.create_task(coro, name=...)`: the
 * function starts when the caller next yields, runs concurrently, and can be cancelled with
 * `task.cancel()` or through the `signal` option (a parent signal whose abort cancels the task).
 *
 * @example
 * const task = createTask(async (signal) => { await sleep(100, { signal }); return 42; }, { name: "answer" });
 * task.cancel(); // the sleep rejects with an AbortError; `await task` throws it
 */
export function createTask<T>(fn: TaskFunction<T>, options?: TaskOptions): Task<T> {
  return new Task(fn, options);
}

/** Wraps a promise as a Task (that cannot really be cancelled: the promise runs on). @internal */
export function taskFromPromise<T>(promise: PromiseLike<T>): Task<T> {
  return new Task(() => promise);
}
