/**
 * Condition: asyncio's condition variable (one event loop), after Python's `asyncio.Condition`.
 */
import { InvalidArgumentError, TimeoutError } from "../errors.js";
import type { Acquired } from "./acquired.js";
import { InvalidStateError } from "./errors.js";
import { checkOptions, checkSignal, checkTimeout, describe, now } from "./internal.js";
import { Lock } from "./lock.js";
import { type WaitOptions, WaiterQueue, parseWait, resumedAborted } from "./waiters.js";

/**
 * This is asyncio's Condition (one event loop); for a condition shared between threads use threading.Condition.
 *
 * Mirrors Python's `asyncio.Condition(lock=None)`: it wraps a {@link Lock} (a new one, or the one given, which
 * several conditions may share). `wait()` releases the lock, waits for `notify()`/`notifyAll()`, and
 * re-acquires the lock before returning — also when it fails: on abort or timeout the lock is re-acquired
 * first, then the error is thrown, and (as in Python 3.13) the notification is passed to another waiter so
 * none is lost. Waiters are notified in FIFO order. `acquire()` resolves with an {@link Acquired} handle,
 * so `using _held = await cond.acquire()` is `async with cond:`.
 *
 * Difference: `wait` takes `{ signal, timeout }`; a timeout throws a TimeoutError (as `wait_for(cond.wait())`
 * does in asyncio), rather than returning false like threading.Condition.
 */
export class Condition {
  readonly #lock: Lock;
  readonly #waiters = new WaiterQueue<void>();

  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock)) {
      throw new InvalidArgumentError(`Condition expects an asyncio Lock (or nothing), got ${describe(lock)}.`);
    }
    this.#lock = lock ?? new Lock();
  }

  /** True while the underlying lock is held. Mirrors `Condition.locked()`. */
  locked(): boolean {
    return this.#lock.locked();
  }

  /** Acquires the underlying lock. Mirrors `await cond.acquire()`; see {@link Lock.acquire}. */
  acquire(options?: WaitOptions): Promise<Acquired> {
    return this.#lock.acquire(options);
  }

  /** Releases the underlying lock. Mirrors `cond.release()`. */
  release(): void {
    this.#lock.release();
  }

  /**
   * Releases the lock, waits to be notified, re-acquires the lock, resolves true. The lock must be held
   * (else {@link InvalidStateError}, Python's RuntimeError "cannot wait on un-acquired lock"). Mirrors
   * `await cond.wait()`. If `signal` is already aborted it rejects at once, without releasing the lock.
   */
  async wait(options?: WaitOptions): Promise<true> {
    const wait = parseWait(options, "Condition.wait");
    if (!this.locked()) throw new InvalidStateError("Condition.wait: cannot wait on an un-acquired lock; acquire the condition first.");
    this.#lock.release();
    let failure: { error: unknown } | undefined;
    const waiter = this.#waiters.add(wait);
    try {
      await waiter.promise;
      this.#waiters.remove(waiter);
      if (resumedAborted(wait)) failure = { error: wait.signal?.reason };
    } catch (error) {
      failure = { error };
    }
    // The lock must be held again when we return or throw, whatever happened: re-acquire without the signal.
    await this.#lock.acquire();
    if (failure) {
      // We may have been notified just before failing: pass the notification on (a spurious wake-up at worst).
      this.#notify(1);
      throw failure.error;
    }
    return true;
  }

  /**
   * Waits until `predicate()` is truthy and returns its value; the lock must be held. Mirrors
   * `await cond.wait_for(predicate)`. The `timeout` covers the whole wait (TimeoutError, lock held).
   */
  async waitFor<R>(predicate: () => R, options?: WaitOptions): Promise<R> {
    if (typeof predicate !== "function") {
      throw new InvalidArgumentError(`Condition.waitFor expects a predicate function, got ${describe(predicate)}.`);
    }
    checkOptions(options, ["signal", "timeout"], "Condition.waitFor");
    const signal = checkSignal(options?.signal, "Condition.waitFor");
    const timeout = checkTimeout(options?.timeout, "Condition.waitFor");
    const deadline = timeout === null ? null : now() + timeout;
    let result = predicate();
    while (!result) {
      const remaining = deadline === null ? null : Math.max(0, deadline - now());
      try {
        await this.wait({ signal, timeout: remaining });
      } catch (error) {
        if (error instanceof TimeoutError) throw new TimeoutError(`Condition.waitFor timed out after ${timeout} ms.`);
        throw error;
      }
      result = predicate();
    }
    return result;
  }

  /**
   * Wakes up to `n` waiters (default 1), in FIFO order; the lock must be held (else {@link InvalidStateError},
   * Python's RuntimeError "cannot notify on un-acquired lock"). Mirrors `cond.notify(n=1)`.
   */
  notify(n = 1): void {
    if (typeof n !== "number" || Number.isNaN(n) || n < 0 || (!Number.isInteger(n) && n !== Infinity)) {
      throw new InvalidArgumentError(`Condition.notify: n must be an integer ≥ 0, got ${describe(n)}.`);
    }
    if (!this.locked()) throw new InvalidStateError("Condition.notify: cannot notify on an un-acquired lock; acquire the condition first.");
    this.#notify(n);
  }

  /** Wakes every waiter; the lock must be held. Mirrors `cond.notify_all()`. */
  notifyAll(): void {
    this.notify(Infinity);
  }

  #notify(n: number): void {
    for (let woken = 0; woken < n && this.#waiters.wakeFirst(); woken++) { /* wake in FIFO order */ }
  }

  get [Symbol.toStringTag](): string {
    return "Condition";
  }
}
