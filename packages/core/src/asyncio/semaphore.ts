/**
 * Semaphore and BoundedSemaphore: asyncio's counting semaphores (one event loop), after Python's
 * `asyncio.Semaphore` and `asyncio.BoundedSemaphore`.
 */
import { InvalidArgumentError } from "../errors.js";
import { Acquired } from "./acquired.js";
import { InvalidStateError } from "./errors.js";
import { describe } from "./internal.js";
import { type WaitOptions, WaiterQueue, parseWait, resumedAborted } from "./waiters.js";

function checkValue(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(`${where}: the initial value must be an integer ≥ 0, got ${describe(value)}.`);
  }
  return value;
}

/**
 * This is asyncio's Semaphore (one event loop); for a semaphore shared between threads use threading.Semaphore.
 *
 * Mirrors Python's `asyncio.Semaphore(value=1)` (3.11.1+, the fair version): `acquire()` takes a permit or
 * waits; waiters are served in FIFO order and a newcomer never overtakes them. A permit handed to a waiter
 * whose signal aborted before it resumed is given back and passed to the next waiter, so a cancelled waiter
 * never consumes a permit. `acquire()` resolves with an {@link Acquired} handle (`using _p = await sem.acquire()`
 * is `async with sem:`). Bad initial value (negative, not an integer) → InvalidArgumentError (Python: ValueError).
 */
export class Semaphore {
  #value: number;
  readonly #waiters = new WaiterQueue<void>();

  constructor(value = 1) {
    this.#value = checkValue(value, new.target.name);
  }

  /** Permits available right now (Python's internal `_value`). */
  get value(): number {
    return this.#value;
  }

  /** True if `acquire()` would have to wait. Mirrors `Semaphore.locked()`. */
  locked(): boolean {
    return this.#value === 0 || this.#waiters.size > 0;
  }

  /**
   * Takes a permit, waiting for one if needed. Mirrors `await sem.acquire()`. Rejects with the signal's
   * reason if `signal` aborts first, or with a TimeoutError after `timeout` ms, without taking a permit.
   */
  async acquire(options?: WaitOptions): Promise<Acquired> {
    const wait = parseWait(options, `${this.constructor.name}.acquire`);
    if (!this.locked()) {
      this.#value--;
      return this.#handle();
    }
    const waiter = this.#waiters.add(wait);
    try {
      try {
        await waiter.promise;
      } finally {
        this.#waiters.remove(waiter);
      }
      if (resumedAborted(wait)) {
        // We were handed a permit but are not taking it: give it back (it goes to the next waiter below).
        this.#value++;
        throw wait.signal?.reason;
      }
    } finally {
      // Waiters that arrived meanwhile had to queue (FIFO); wake as many as there are permits.
      while (this.#value > 0 && this.#wakeNext()) { /* keep waking */ }
    }
    return this.#handle();
  }

  #handle(): Acquired {
    return new Acquired(() => this.release());
  }

  #wakeNext(): boolean {
    if (!this.#waiters.wakeFirst()) return false;
    this.#value--;
    return true;
  }

  /** Returns a permit and wakes the first waiter. Mirrors `Semaphore.release()`. */
  release(): void {
    this.#value++;
    this.#wakeNext();
  }

  get [Symbol.toStringTag](): string {
    return this.constructor.name;
  }
}

/**
 * This is asyncio's BoundedSemaphore (one event loop); for one shared between threads use threading.BoundedSemaphore.
 *
 * Mirrors Python's `asyncio.BoundedSemaphore`: a {@link Semaphore} whose `release()` throws an
 * {@link InvalidStateError} when it would raise the count above the initial value (Python's ValueError
 * "BoundedSemaphore released too many times").
 */
export class BoundedSemaphore extends Semaphore {
  readonly #bound: number;

  constructor(value = 1) {
    super(value);
    this.#bound = value;
  }

  override release(): void {
    if (this.value >= this.#bound) {
      throw new InvalidStateError(`BoundedSemaphore released too many times (its initial value is ${this.#bound}).`);
    }
    super.release();
  }
}
