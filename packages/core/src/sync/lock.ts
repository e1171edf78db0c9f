/** threading.Lock over shared memory. */
import { registerSharedType, SHARED_HANDLE, type SharedDescriptor, type SharedHandle } from "../shared-handle.js";
import { TimeoutError } from "../errors.js";
import { assertMayBlock } from "./blocking.js";
import { Held } from "./dispose.js";
import { NotOwnerError } from "./errors.js";
import { LOCKED, lockUntil, tryLock, unlock, UNLOCKED } from "./futex.js";
import { LOCK_HOOKS, type HasLockHooks, type LockHooks } from "./lock-hooks.js";
import { adopt, allocateShared, checkMemoryState, type MemoryState } from "./shared-memory.js";
import { currentThreadId } from "./thread-id.js";
import { toDeadline } from "./timeout.js";
import { runAsync, runSync, type Waiting } from "./wait.js";

const TYPE = "weft.threading.Lock";
// Layout (int32 cells): [0] the futex word, [1] the holder's thread id (0 while unlocked).
const FUTEX = 0;
const HOLDER = 1;
/** Bytes a Lock takes (also inside a Value, SharedArray or Barrier). */
export const LOCK_BYTES = 8;

/**
 * Mirrors Python's `threading.Lock`: a primitive lock, not owned by any thread (any thread may
 * release it). This is threading's Lock, shared between threads through SharedArrayBuffer: pass
 * it to a weft Thread as an ordinary argument and both sides lock the same memory. For a lock on
 * one event loop, use asyncio.Lock.
 *
 * Timeouts are in milliseconds. An acquire whose timeout elapses returns `false` (Python
 * semantics); it does not throw. `acquireSync` blocks and is only allowed inside a weft worker;
 * on a main thread or a page, use `await lock.acquire()`.
 *
 * ```ts
 * using held = lock.holdSync();          // in a worker
 * await using held = await lock.hold();  // anywhere
 * ```
 *
 * A lock held by a thread that died (terminated, or its worker crashed) stays held, as in
 * Python: nothing releases it on the thread's behalf. Timed acquires still return `false` when
 * their timeout elapses, and {@link holder} tells which thread took it, so that the code that
 * terminated that thread (compare with `currentThreadId()` reported by the thread, or the
 * thread id you recorded) can decide to `release()` it — any thread may release a Lock.
 */
export class Lock implements SharedHandle, HasLockHooks {
  private readonly cells: Int32Array;
  private readonly state: MemoryState;

  constructor() {
    const buffer = allocateShared(LOCK_BYTES, "threading.Lock");
    this.state = { buffer, byteOffset: 0 };
    this.cells = new Int32Array(buffer, 0, 2);
  }

  /** Records the calling thread as the holder after an acquire; passes `acquired` through. */
  private took(acquired: boolean): boolean {
    if (acquired) Atomics.store(this.cells, HOLDER, currentThreadId());
    return acquired;
  }

  /**
   * Acquires without blocking the thread. Resolves `true` once acquired, or `false` if
   * `timeoutMs` elapsed first (`undefined`: wait forever; `0`: just try).
   */
  async acquire(timeoutMs?: number): Promise<boolean> {
    const deadline = toDeadline(timeoutMs, "Lock.acquire");
    if (tryLock(this.cells, FUTEX)) return this.took(true);
    return this.took(await runAsync(lockUntil(this.cells, FUTEX, deadline)));
  }

  /**
   * Acquires, blocking this thread (weft workers only; a timeout of 0 never blocks and is allowed
   * anywhere). Returns `true` once acquired, `false` if `timeoutMs` elapsed first.
   */
  acquireSync(timeoutMs?: number): boolean {
    const deadline = toDeadline(timeoutMs, "Lock.acquireSync");
    if (timeoutMs !== 0) assertMayBlock("Lock.acquireSync()", "await lock.acquire()");
    if (tryLock(this.cells, FUTEX)) return this.took(true);
    return this.took(runSync(lockUntil(this.cells, FUTEX, deadline)));
  }

  /** One attempt that never waits (Python's `acquire(blocking=False)`). */
  tryAcquire(): boolean {
    return this.took(tryLock(this.cells, FUTEX));
  }

  /** Releases. Any thread may release a Lock; releasing an unlocked Lock throws NotOwnerError (Python: RuntimeError). */
  release(): void {
    Atomics.store(this.cells, HOLDER, 0);
    if (!unlock(this.cells, FUTEX)) throw new NotOwnerError("release unlocked lock: this Lock is not locked.");
  }

  /** Whether some thread holds the lock. */
  locked(): boolean {
    return Atomics.load(this.cells, FUTEX) !== UNLOCKED;
  }

  /**
   * The id (`threading.currentThreadId()`) of the thread that holds the lock, or `undefined`
   * while it is unlocked. Python's Lock records no owner; weft records the acquirer so that a
   * lock left held by a thread that died can be recognised. A snapshot: other threads may change
   * it at once (briefly `undefined` while an acquire completes).
   */
  get holder(): number | undefined {
    const id = Atomics.load(this.cells, HOLDER);
    return id === 0 ? undefined : id;
  }

  /** Acquires (blocking; workers only) and returns a handle that releases on dispose: `using held = lock.holdSync()`. Throws TimeoutError if `timeoutMs` elapses. */
  holdSync(timeoutMs?: number): Held {
    if (!this.acquireSync(timeoutMs)) throw new TimeoutError(`Lock.holdSync: not acquired within ${timeoutMs} ms.`);
    return new Held(() => this.release());
  }

  /** Acquires and resolves a handle that releases on dispose: `await using held = await lock.hold()`. Rejects with TimeoutError if `timeoutMs` elapses. */
  async hold(timeoutMs?: number): Promise<Held> {
    if (!(await this.acquire(timeoutMs))) throw new TimeoutError(`Lock.hold: not acquired within ${timeoutMs} ms.`);
    return new Held(() => this.release());
  }

  /** @internal Condition's view of this lock. */
  get [LOCK_HOOKS](): LockHooks {
    const cells = this.cells;
    return {
      isOwned: () => Atomics.load(cells, FUTEX) !== UNLOCKED,
      holder: () => this.holder,
      releaseSave: () => {
        this.release();
        return LOCKED;
      },
      acquireRestore: function* (this: void, _saved: number, deadline: number): Waiting<boolean> {
        const acquired = yield* lockUntil(cells, FUTEX, deadline);
        if (acquired) Atomics.store(cells, HOLDER, currentThreadId());
        return acquired;
      },
    };
  }

  [SHARED_HANDLE](): SharedDescriptor {
    return { type: TYPE, state: this.state };
  }
}

/** @internal A Lock over LOCK_BYTES of existing shared memory (inside a Value, SharedArray or Barrier). */
export function lockOver(buffer: SharedArrayBuffer, byteOffset: number): Lock {
  return adopt(Lock.prototype, { state: { buffer, byteOffset }, cells: new Int32Array(buffer, byteOffset, 2) });
}

registerSharedType(TYPE, (state) => {
  const { buffer, byteOffset } = checkMemoryState(state, TYPE, LOCK_BYTES);
  return lockOver(buffer, byteOffset);
});
