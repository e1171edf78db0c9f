/** What `await lock.hold()` resolves with: releases the manager lock at the end of an `await using` block. */
import { ASYNC_DISPOSE } from "../../sync/dispose.js";

/**
 * A held manager Lock or RLock: `await using _held = await lock.hold()` is weft's
 * `with lock:` for a manager lock. Leaving the block releases it (one round trip, awaited, so
 * that a failure to release is thrown there and not lost). `release()` releases once; later
 * calls do nothing.
 */
export class Holding implements AsyncDisposable {
  #release: (() => Promise<void>) | undefined;

  /** @internal Made by {@link LockProxy.hold}. */
  constructor(release: () => Promise<void>) {
    this.#release = release;
  }

  /** True until released. */
  get held(): boolean {
    return this.#release !== undefined;
  }

  /** Releases the lock (once). */
  release(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    return release ? release() : Promise.resolve();
  }

  declare [Symbol.asyncDispose]: () => Promise<void>;
}

// On the prototype under ASYNC_DISPOSE, so that runtimes without Symbol.asyncDispose (Node 20)
// still find it where down-levelled `await using` looks.
Object.defineProperty(Holding.prototype, ASYNC_DISPOSE, {
  value: function asyncDispose(this: Holding): Promise<void> {
    return this.release();
  },
  writable: true,
  configurable: true,
});
