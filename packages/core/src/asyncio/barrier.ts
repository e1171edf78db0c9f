/**
 * Barrier: asyncio's barrier (one event loop), after Python 3.11's `asyncio.Barrier`.
 */
import { InvalidArgumentError } from "../errors.js";
import { BrokenBarrierError } from "./errors.js";
import { describe } from "./internal.js";
import { type ParsedWait, type WaitOptions, WaiterQueue, parseWait, resumedAborted } from "./waiters.js";

type BarrierState = "filling" | "draining" | "resetting" | "broken";

/**
 * This is asyncio's Barrier (one event loop); for a barrier shared between threads use threading.Barrier.
 *
 * Mirrors Python's `asyncio.Barrier(parties)`: `wait()` blocks until `parties` callers wait, then releases
 * them all; each gets a distinct index 0…parties-1 (arrival order). The barrier is then reusable. While it
 * drains (released parties still leaving), new callers wait for the next round. `abort()` breaks it: current
 * and future waiters get a {@link BrokenBarrierError} until `reset()`. `reset()` sends the current waiters a
 * BrokenBarrierError and makes the barrier usable again.
 *
 * As in asyncio (unlike threading.Barrier), a waiter whose signal aborts, or whose `timeout` passes, just
 * leaves — it is no longer counted and the barrier is not broken. `abort()` and `reset()` are synchronous
 * (Python's are coroutines only because they take an internal lock); `await barrier.abort()` still works.
 */
export class Barrier {
  readonly #parties: number;
  #state: BarrierState = "filling";
  #count = 0;
  readonly #waiters = new WaiterQueue<void>();

  constructor(parties: number) {
    if (typeof parties !== "number" || !Number.isInteger(parties) || parties < 1) {
      throw new InvalidArgumentError(`Barrier: parties must be an integer ≥ 1, got ${describe(parties)}.`);
    }
    this.#parties = parties;
  }

  /** Number of parties needed to pass the barrier. Mirrors `Barrier.parties`. */
  get parties(): number {
    return this.#parties;
  }

  /** Number of parties waiting in the current filling round. Mirrors `Barrier.n_waiting`. */
  get nWaiting(): number {
    return this.#state === "filling" ? this.#count : 0;
  }

  /** True if the barrier is broken (aborted). Mirrors `Barrier.broken`. */
  get broken(): boolean {
    return this.#state === "broken";
  }

  /**
   * Waits until `parties` callers wait, then resolves with this caller's index (0…parties-1). Mirrors
   * `await barrier.wait()`. Rejects with a {@link BrokenBarrierError} if the barrier is or gets broken or
   * reset, with the signal's reason if `signal` aborts, or with a TimeoutError after `timeout` ms.
   */
  async wait(options?: WaitOptions): Promise<number> {
    const wait = parseWait(options, "Barrier.wait");
    // Block while the previous round drains or a reset completes.
    while (this.#state === "draining" || this.#state === "resetting") await this.#sleep(wait);
    if (this.#state === "broken") throw new BrokenBarrierError("Barrier aborted.");
    const index = this.#count++;
    try {
      if (index + 1 === this.#parties) {
        this.#state = "draining";
        this.#waiters.wakeAll();
      } else {
        while (this.#state === "filling") await this.#sleep(wait);
        if (this.#state === "broken" || this.#state === "resetting") {
          throw new BrokenBarrierError("Barrier aborted or reset while waiting.");
        }
      }
      return index;
    } finally {
      this.#count--;
      if (this.#count === 0) {
        const state = this.#state as BarrierState; // (TS keeps a stale narrowing across the awaits above)
        if (state === "draining" || state === "resetting") this.#state = "filling";
        this.#waiters.wakeAll();
      }
    }
  }

  async #sleep(wait: ParsedWait): Promise<void> {
    const waiter = this.#waiters.add(wait);
    await waiter.promise;
    this.#waiters.remove(waiter);
    if (resumedAborted(wait)) throw wait.signal?.reason;
  }

  /**
   * Returns the barrier to its initial state: parties waiting now get a {@link BrokenBarrierError}.
   * Also repairs a broken barrier. Mirrors `await barrier.reset()`.
   */
  reset(): void {
    if (this.#count > 0) this.#state = "resetting";
    else this.#state = "filling";
    this.#waiters.wakeAll();
  }

  /**
   * Breaks the barrier: every current and future `wait()` rejects with a {@link BrokenBarrierError} until
   * `reset()`. Mirrors `await barrier.abort()`.
   */
  abort(): void {
    this.#state = "broken";
    this.#waiters.wakeAll();
  }

  get [Symbol.toStringTag](): string {
    return "Barrier";
  }
}
