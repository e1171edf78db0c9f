/**
 * Event: asyncio's event flag (one event loop), after Python's `asyncio.Event`.
 */
import { type WaitOptions, WaiterQueue, parseWait, resumedAborted } from "./waiters.js";

/**
 * This is asyncio's Event (one event loop); for an event shared between threads use threading.Event.
 *
 * Mirrors Python's `asyncio.Event`: a flag, initially false; `set()` wakes every waiter, `clear()` resets it,
 * and `wait()` returns at once while the flag is set. A waiter woken by `set()` returns true even if the flag
 * was cleared again before it resumed (as in Python) — unless its signal aborted meanwhile.
 */
export class Event {
  #flag = false;
  readonly #waiters = new WaiterQueue<void>();

  /** True if the flag is set. Mirrors `Event.is_set()`. */
  isSet(): boolean {
    return this.#flag;
  }

  /** Sets the flag and wakes every waiter. Mirrors `Event.set()`. */
  set(): void {
    if (this.#flag) return;
    this.#flag = true;
    this.#waiters.wakeAll();
  }

  /** Clears the flag. Mirrors `Event.clear()`. */
  clear(): void {
    this.#flag = false;
  }

  /**
   * Resolves with true once the flag is set. Mirrors `await event.wait()`; rejects with the signal's reason
   * if `signal` aborts first, or with a TimeoutError after `timeout` ms.
   */
  async wait(options?: WaitOptions): Promise<true> {
    const wait = parseWait(options, "Event.wait");
    if (this.#flag) return true;
    const waiter = this.#waiters.add(wait);
    await waiter.promise;
    this.#waiters.remove(waiter);
    if (resumedAborted(wait)) throw wait.signal?.reason;
    return true;
  }

  get [Symbol.toStringTag](): string {
    return "Event";
  }
}
