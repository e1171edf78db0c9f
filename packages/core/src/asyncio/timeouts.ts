/**
 * timeout / timeoutAt / waitFor: time limits that cancel the work, after Python's `asyncio.timeout`,
 * `asyncio.timeout_at` and `asyncio.wait_for`.
 */
import { AbortError, InvalidArgumentError, TimeoutError } from "../errors.js";
import { InvalidStateError } from "./errors.js";
import {
  callAt, checkOptions, checkSignal, checkTimeout, describe, ignoreRejection, isCancellation, isThenable, now, onAbort,
  toAbortError,
} from "./internal.js";
import { Task } from "./task.js";

/** The work a timeout scope runs: it gets the scope's signal (aborted at the deadline) and the scope itself. */
export type TimeoutFunction<T> = (signal: AbortSignal, scope: Timeout) => PromiseLike<T> | T;

/** Options of {@link timeout}, {@link timeoutAt} and {@link waitFor}. */
export interface TimeoutOptions {
  /** A parent signal: aborting it cancels the work too, and the AbortError (not a TimeoutError) propagates. */
  signal?: AbortSignal;
}

/**
 * The clock of deadlines ({@link timeoutAt}, {@link Timeout.when}): `performance.now()` in milliseconds.
 * Mirrors Python's `loop.time()` (which counts seconds).
 */
export function clock(): number {
  return now();
}

/**
 * A running timeout scope, handed to the function given to {@link timeout}/{@link timeoutAt}. Mirrors
 * Python's `asyncio.Timeout` (`when()`, `reschedule()`, `expired()`).
 */
export class Timeout {
  #deadline: number | null;
  #expired = false;
  #finished = false;
  #cancelTimer: () => void = () => {};
  readonly #onExpire: () => void;

  /** @internal Use {@link timeout} or {@link timeoutAt}. */
  constructor(deadline: number | null, onExpire: () => void) {
    this.#deadline = deadline;
    this.#onExpire = onExpire;
    this.#arm();
  }

  /** The deadline on the {@link clock} (ms), or null if there is none. Mirrors `Timeout.when()`. */
  when(): number | null {
    return this.#deadline;
  }

  /**
   * Moves the deadline (ms on the {@link clock}; null for none; a past deadline expires on the next turn).
   * Mirrors `Timeout.reschedule()`: like Python, throws (InvalidStateError) once the scope expired or ended.
   */
  reschedule(deadline: number | null): void {
    if (deadline !== null && (typeof deadline !== "number" || Number.isNaN(deadline))) {
      throw new InvalidArgumentError(`Timeout.reschedule: deadline must be a number on clock() or null, got ${describe(deadline)}.`);
    }
    if (this.#expired || this.#finished) {
      throw new InvalidStateError(`Cannot reschedule a Timeout that ${this.#expired ? "expired" : "has finished"}.`);
    }
    this.#deadline = deadline;
    this.#arm();
  }

  /** True once the deadline passed and the work was cancelled because of it. Mirrors `Timeout.expired()`. */
  expired(): boolean {
    return this.#expired;
  }

  #arm(): void {
    this.#cancelTimer();
    this.#cancelTimer = () => {};
    if (this.#deadline === null) return;
    this.#cancelTimer = callAt(this.#deadline, () => {
      this.#expired = true;
      this.#onExpire();
    });
  }

  /** @internal */
  _finish(): void {
    this.#finished = true;
    this.#cancelTimer();
  }
}

async function runScope<T>(deadline: number | null, fn: TimeoutFunction<T>, options: TimeoutOptions | undefined, where: string, label: string): Promise<T> {
  if (typeof fn !== "function") {
    throw new InvalidArgumentError(`${where} expects a function (signal) => Promise as its second argument, got ${describe(fn)}.`);
  }
  checkOptions(options, ["signal"], where);
  const parent = checkSignal(options?.signal, where);
  parent?.throwIfAborted();
  const controller = new AbortController();
  const scope = new Timeout(deadline, () => {
    controller.abort(new AbortError(`${label} expired; the work is being cancelled.`));
  });
  const unlink = onAbort(parent, () => controller.abort(toAbortError(parent?.reason, `${where} was cancelled.`)));
  try {
    return await fn(controller.signal, scope);
  } catch (error) {
    if (scope.expired() && !parent?.aborted && isCancellation(error)) {
      throw new TimeoutError(`${label} expired.`, { cause: error });
    }
    throw error;
  } finally {
    scope._finish();
    unlink();
  }
}

/**
 * Runs `fn(signal, scope)` with a time limit of `ms` milliseconds (null: none, until rescheduled). At the
 * deadline the signal aborts with an AbortError; once `fn` has finished cancelling (its `finally` blocks
 * ran) a TimeoutError is thrown, with that AbortError as its `cause`. Mirrors Python's
 * `async with asyncio.timeout(delay):` — including that the work's own errors pass through unchanged, and
 * that work which swallows the cancellation and returns normally returns its value.
 * NaN or negative `ms` → InvalidArgumentError.
 *
 * @example
 * const page = await timeout(5000, (signal) => fetch(url, { signal }).then((r) => r.text()));
 */
export function timeout<T>(ms: number | null, fn: TimeoutFunction<T>, options?: TimeoutOptions): Promise<T> {
  try {
    const delay = checkTimeout(ms, "timeout");
    return runScope(delay === null ? null : now() + delay, fn, options, "timeout", `timeout(${delay} ms)`);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * As {@link timeout}, with an absolute deadline on the {@link clock} (ms; null for none; a past deadline
 * expires at once). Mirrors Python's `asyncio.timeout_at(when)`.
 */
export function timeoutAt<T>(deadline: number | null, fn: TimeoutFunction<T>, options?: TimeoutOptions): Promise<T> {
  if (deadline !== null && (typeof deadline !== "number" || Number.isNaN(deadline))) {
    return Promise.reject(new InvalidArgumentError(`timeoutAt: deadline must be a number on clock() (ms) or null, got ${describe(deadline)}.`));
  }
  return runScope(deadline, fn, options, "timeoutAt", "timeoutAt deadline");
}

/**
 * Waits for `work` at most `ms` milliseconds (null: no limit). Mirrors Python's `asyncio.wait_for(aw, timeout)`:
 * - a function `(signal) => Promise` or a {@link Task}: at the deadline it is cancelled and awaited, then a
 *   TimeoutError is thrown (if it swallows the cancellation and returns, its value is returned);
 * - a plain promise cannot be cancelled: the TimeoutError is thrown at the deadline and the promise is left
 *   to settle on its own (its rejection is ignored). Pass a function to get real cancellation.
 * Aborting `options.signal` cancels the work and throws its AbortError. NaN or negative `ms` → InvalidArgumentError.
 */
export function waitFor<T>(work: PromiseLike<T> | Task<T> | ((signal: AbortSignal) => PromiseLike<T> | T), ms: number | null, options?: TimeoutOptions): Promise<T> {
  let delay: number | null;
  try {
    delay = checkTimeout(ms, "waitFor");
  } catch (error) {
    return Promise.reject(error);
  }
  const label = `waitFor(${delay} ms)`;
  const deadline = delay === null ? null : now() + delay;
  if (typeof work === "function") {
    return runScope(deadline, work, options, "waitFor", label);
  }
  if (work instanceof Task) {
    const task = work;
    return runScope(deadline, (signal) => {
      const unlink = onAbort(signal, () => task.cancel(signal.reason));
      return Promise.resolve(task).finally(unlink);
    }, options, "waitFor", label);
  }
  if (!isThenable(work)) {
    return Promise.reject(new InvalidArgumentError(`waitFor expects a function (signal) => Promise, a Task or a promise, got ${describe(work)}.`));
  }
  const promise = work;
  ignoreRejection(promise);
  return runScope(deadline, (signal) => new Promise<T>((resolve, reject) => {
    const unlink = onAbort(signal, () => reject(signal.reason));
    promise.then((value) => { unlink(); resolve(value); }, (error) => { unlink(); reject(error); });
  }), options, "waitFor", label);
}
