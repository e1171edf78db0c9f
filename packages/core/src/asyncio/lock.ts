/**
 * Lock: asyncio's mutual-exclusion lock (one event loop), after Python's `asyncio.Lock`.
 */
import { Acquired } from "./acquired.js";
import { InvalidStateError } from "./errors.js";
import { type WaitOptions, WaiterQueue, parseWait, resumedAborted } from "./waiters.js";

/**
 * This is asyncio's Lock (one event loop); for a lock shared between threads use threading.Lock.
 *
 * Mirrors Python's `asyncio.Lock`: not reentrant, not owned (any code may release it), and fair — waiters
 * get the lock in the order they called `acquire()`, and a newcomer never overtakes a waiter that was
 * already woken. A waiter whose signal aborts (or whose timeout passes) leaves the queue without taking the
 * lock — also when the lock was just handed to it but it had not resumed yet: then it passes the lock on
 * to the next waiter, exactly like a cancelled waiter in Python.
 *
 * `acquire()` resolves with an {@link Acquired} handle (truthy, like Python's `True`), so
 * `using _held = await lock.acquire()` is weft's `async with lock:`.
 *
 * Differences: `acquire` takes `{ signal, timeout }` (Python uses task cancellation and `wait_for`); a signal
 * that is already aborted makes `acquire` reject at once, even if the lock is free (the web convention).
 */
export class Lock {
  #locked = false;
  #generation = 0;
  readonly #waiters = new WaiterQueue<void>();

  /** True while someone holds the lock. Mirrors `Lock.locked()`. */
  locked(): boolean {
    return this.#locked;
  }

  /**
   * Waits until the lock is free, then takes it. Mirrors `await lock.acquire()`. Rejects with the signal's
   * reason if `signal` aborts first, or with a TimeoutError after `timeout` ms; either way it leaves the
   * queue without taking the lock.
   */
  async acquire(options?: WaitOptions): Promise<Acquired> {
    const wait = parseWait(options, "Lock.acquire");
    if (!this.#locked && this.#waiters.size === 0) return this.#take();
    const waiter = this.#waiters.add(wait);
    try {
      await waiter.promise;
    } catch (error) {
      if (!this.#locked) this.#waiters.wakeHead();
      throw error;
    }
    this.#waiters.remove(waiter);
    if (resumedAborted(wait)) {
      // Woken, but cancelled before it could take the lock: let the next waiter have it.
      if (!this.#locked) this.#waiters.wakeHead();
      throw wait.signal?.reason;
    }
    return this.#take();
  }

  #take(): Acquired {
    this.#locked = true;
    const generation = ++this.#generation;
    return new Acquired(() => {
      if (this.#locked && this.#generation === generation) this.release();
    });
  }

  /**
   * Releases the lock and wakes the first waiter. Throws an {@link InvalidStateError} if the lock is not
   * held (Python's RuntimeError "Lock is not acquired.").
   */
  release(): void {
    if (!this.#locked) throw new InvalidStateError("Lock.release: the lock is not acquired.");
    this.#locked = false;
    this.#waiters.wakeHead();
  }

  get [Symbol.toStringTag](): string {
    return "Lock";
  }
}
