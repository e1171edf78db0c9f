/**
 * Acquired: the handle that Lock/Condition/Semaphore `acquire()` resolve with, for `using` blocks.
 */
import { asyncDisposeSymbol, disposeSymbol } from "./internal.js";

/**
 * What `await lock.acquire()` (also Condition's and Semaphore's) resolves with: a truthy handle that releases
 * that one acquisition — with `release()`, or automatically at the end of a `using` / `await using` block.
 * This is weft's form of Python's `async with lock:`:
 *
 * ```ts
 * {
 *   using _held = await lock.acquire();
 *   // … critical section …
 * } // released here, also when the block throws
 * ```
 *
 * Releasing through the handle is idempotent: a second call does nothing. For a Lock or Condition it also
 * does nothing if this acquisition was already released another way (`lock.release()`), so it never
 * releases a later holder's lock. (A Semaphore has no owner: use either the handle or `release()`, not both.)
 */
export class Acquired {
  readonly #release: () => void;
  #released = false;

  /** @internal */
  constructor(release: () => void) {
    this.#release = release;
  }

  /** True once this handle released its acquisition. */
  get released(): boolean {
    return this.#released;
  }

  /** Releases this acquisition (once). */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#release();
  }

  /** `using held = await lock.acquire()` releases at the end of the block. */
  [disposeSymbol](): void {
    this.release();
  }

  /** `await using held = await lock.acquire()` releases at the end of the block. */
  [asyncDisposeSymbol](): Promise<void> {
    this.release();
    return Promise.resolve();
  }
}
