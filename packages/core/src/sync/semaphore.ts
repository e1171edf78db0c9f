/** threading.Semaphore and threading.BoundedSemaphore over shared memory. */
import { registerSharedType, SHARED_HANDLE, type SharedDescriptor, type SharedHandle } from "../shared-handle.js";
import { InvalidArgumentError, TimeoutError } from "../errors.js";
import { assertMayBlock } from "./blocking.js";
import { Held } from "./dispose.js";
import { OverReleaseError } from "./errors.js";
import { adopt, allocateShared, checkMemoryState, type MemoryState } from "./shared-memory.js";
import { toDeadline } from "./timeout.js";
import { runAsync, runSync, type Waiting } from "./wait.js";

const TYPE = "weft.threading.Semaphore";
const BOUNDED_TYPE = "weft.threading.BoundedSemaphore";
const BYTES = 8;
const VALUE = 0;
const WAITERS = 1;

function checkCount(value: unknown, what: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > 0x7fffffff) {
    throw new InvalidArgumentError(`${what} must be an integer from ${min} to 2147483647; got ${String(value)}.`);
  }
  return value;
}

function tryDecrement(cells: Int32Array): boolean {
  let value = Atomics.load(cells, VALUE);
  while (value > 0) {
    const seen = Atomics.compareExchange(cells, VALUE, value, value - 1);
    if (seen === value) return true;
    value = seen;
  }
  return false;
}

function* decrementUntil(cells: Int32Array, deadline: number): Waiting<boolean> {
  for (;;) {
    if (tryDecrement(cells)) return true;
    // Registered before the wait re-checks VALUE, so a release either sees us or we see it.
    Atomics.add(cells, WAITERS, 1);
    const outcome = yield { cells, index: VALUE, expected: 0, deadline };
    Atomics.sub(cells, WAITERS, 1);
    if (outcome === "timed-out") return tryDecrement(cells);
  }
}

interface SemaphoreState extends MemoryState {
  readonly bound?: number;
}

/**
 * Mirrors Python's `threading.Semaphore`: a counter that `acquire` decrements, waiting while it
 * is 0, and `release(n)` increments. This is threading's Semaphore (shared between threads
 * through SharedArrayBuffer); for a semaphore on one event loop use asyncio.Semaphore.
 *
 * Timeouts are in milliseconds; an acquire whose timeout elapses returns `false` (Python
 * semantics). `acquireSync` blocks and is only allowed inside a weft worker.
 */
export class Semaphore implements SharedHandle {
  protected readonly cells: Int32Array;
  protected state: SemaphoreState;

  /** @param value the initial count (default 1, as in Python); InvalidArgumentError if negative. */
  constructor(value = 1) {
    checkCount(value, "Semaphore's initial value", 0);
    const buffer = allocateShared(BYTES, new.target === Semaphore ? "threading.Semaphore" : "threading.BoundedSemaphore");
    this.cells = new Int32Array(buffer, 0, 2);
    this.cells[VALUE] = value;
    this.state = { buffer, byteOffset: 0 };
  }

  /** The current count (a snapshot; other threads may change it at once). */
  get value(): number {
    return Atomics.load(this.cells, VALUE);
  }

  /** Decrements without blocking the thread, waiting while the count is 0; resolves `false` if `timeoutMs` elapsed first. */
  async acquire(timeoutMs?: number): Promise<boolean> {
    const deadline = toDeadline(timeoutMs, `${this.constructor.name}.acquire`);
    if (tryDecrement(this.cells)) return true;
    return runAsync(decrementUntil(this.cells, deadline));
  }

  /** Decrements, blocking this thread while the count is 0 (weft workers only; timeout 0 is allowed anywhere); `false` if `timeoutMs` elapsed first. */
  acquireSync(timeoutMs?: number): boolean {
    const deadline = toDeadline(timeoutMs, `${this.constructor.name}.acquireSync`);
    if (timeoutMs !== 0) assertMayBlock(`${this.constructor.name}.acquireSync()`, "await semaphore.acquire()");
    if (tryDecrement(this.cells)) return true;
    return runSync(decrementUntil(this.cells, deadline));
  }

  /** One attempt that never waits (Python's `acquire(blocking=False)`). */
  tryAcquire(): boolean {
    return tryDecrement(this.cells);
  }

  /** Increments the count by `n` (default 1), waking up to `n` waiters. Any thread may release. */
  release(n = 1): void {
    checkCount(n, `${this.constructor.name}.release(n): n`, 1);
    this.increment(n);
    if (Atomics.load(this.cells, WAITERS) > 0) Atomics.notify(this.cells, VALUE, n);
  }

  protected increment(n: number): void {
    Atomics.add(this.cells, VALUE, n);
  }

  /** Acquires (blocking; workers only) and returns a handle that releases on dispose. Throws TimeoutError if `timeoutMs` elapses. */
  holdSync(timeoutMs?: number): Held {
    if (!this.acquireSync(timeoutMs)) throw new TimeoutError(`${this.constructor.name}.holdSync: not acquired within ${timeoutMs} ms.`);
    return new Held(() => this.release());
  }

  /** Acquires and resolves a handle that releases on dispose: `await using slot = await semaphore.hold()`. Rejects with TimeoutError if `timeoutMs` elapses. */
  async hold(timeoutMs?: number): Promise<Held> {
    if (!(await this.acquire(timeoutMs))) throw new TimeoutError(`${this.constructor.name}.hold: not acquired within ${timeoutMs} ms.`);
    return new Held(() => this.release());
  }

  [SHARED_HANDLE](): SharedDescriptor {
    return { type: TYPE, state: this.state };
  }
}

/**
 * Mirrors Python's `threading.BoundedSemaphore`: a Semaphore whose count may not rise above its
 * initial value; releasing past it throws OverReleaseError (Python: ValueError) and leaves the
 * count unchanged. This is threading's BoundedSemaphore (shared between threads through
 * SharedArrayBuffer); for one event loop use asyncio.BoundedSemaphore.
 */
export class BoundedSemaphore extends Semaphore {
  constructor(value = 1) {
    super(value);
    this.state = { ...this.state, bound: value };
  }

  declare protected state: SemaphoreState & { readonly bound: number };

  protected override increment(n: number): void {
    const bound = this.state.bound;
    let value = Atomics.load(this.cells, VALUE);
    for (;;) {
      if (value + n > bound) throw new OverReleaseError(`Semaphore released too many times: the count would exceed its bound of ${bound}.`);
      const seen = Atomics.compareExchange(this.cells, VALUE, value, value + n);
      if (seen === value) return;
      value = seen;
    }
  }

  override [SHARED_HANDLE](): SharedDescriptor {
    return { type: BOUNDED_TYPE, state: this.state };
  }
}

registerSharedType(TYPE, (state) => {
  const { buffer, byteOffset } = checkMemoryState(state, TYPE, BYTES);
  return adopt(Semaphore.prototype, { state: { buffer, byteOffset }, cells: new Int32Array(buffer, byteOffset, 2) });
});

registerSharedType(BOUNDED_TYPE, (state) => {
  const { buffer, byteOffset } = checkMemoryState(state, BOUNDED_TYPE, BYTES);
  const bound = (state as { bound?: unknown }).bound;
  checkCount(bound, `Cannot revive ${BOUNDED_TYPE}: its bound`, 0);
  return adopt(BoundedSemaphore.prototype, { state: { buffer, byteOffset, bound }, cells: new Int32Array(buffer, byteOffset, 2) });
});
