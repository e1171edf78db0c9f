/**
 * The handle that `holdSync()` / `hold()` return, released by `using` / `await using`.
 * Works on runtimes without Symbol.dispose too (then keyed by Symbol.for("Symbol.dispose")).
 */

export const DISPOSE = (Symbol.dispose ?? Symbol.for("Symbol.dispose")) as typeof Symbol.dispose;
export const ASYNC_DISPOSE = (Symbol.asyncDispose ?? Symbol.for("Symbol.asyncDispose")) as typeof Symbol.asyncDispose;

/**
 * A held lock or semaphore slot. `release()` (or leaving a `using` / `await using` block)
 * releases it once; later calls do nothing.
 */
export class Held implements Disposable, AsyncDisposable {
  #release: (() => void) | undefined;

  constructor(release: () => void) {
    this.#release = release;
  }

  /** True until released. */
  get held(): boolean {
    return this.#release !== undefined;
  }

  /** Releases what this handle holds; idempotent. */
  release(): void {
    const release = this.#release;
    if (release === undefined) return;
    this.#release = undefined;
    release();
  }

  declare [Symbol.dispose]: () => void;
  declare [Symbol.asyncDispose]: () => Promise<void>;
}

// Defined on the prototype under DISPOSE / ASYNC_DISPOSE, so that runtimes without the
// well-known symbols still get the methods (under Symbol.for("Symbol.dispose") etc.).
Object.defineProperty(Held.prototype, DISPOSE, {
  value: function dispose(this: Held): void {
    this.release();
  },
  writable: true,
  configurable: true,
});
Object.defineProperty(Held.prototype, ASYNC_DISPOSE, {
  value: async function asyncDispose(this: Held): Promise<void> {
    this.release();
  },
  writable: true,
  configurable: true,
});
