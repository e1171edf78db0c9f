/** threading.Lock over shared memory. */
import { registerSharedType, SHARED_HANDLE, type SharedDescriptor, type SharedHandle } from "../shared-handle.js";
import { TimeoutError } from "../errors.js";
import { assertMayBlock } from "./blocking.js";
import { Held } from "./dispose.js";
import { NotOwnerError } from "./errors.js";
import { LOCKED, lockUntil, tryLock, unlock, UNLOCKED } from "./futex.js";
import { LOCK_HOOKS, type HasLockHooks, type LockHooks } from "./lock-hooks.js";
import { adopt, allocateShared, checkMemoryState, type MemoryState } from "./shared-memory.js";
import { toDeadline } from "./timeout.js";
import { runAsync, runSync, type Waiting } from "./wait.js";

const TYPE = "weft.threading.Lock";
const BYTES = 4;

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
 */
export class Lock implements SharedHandle, HasLockHooks {
  private readonly cells: Int32Array;
  private readonly state: MemoryState;

  constructor() {
    const buffer = allocateShared(BYTES, "threading.Lock");
    this.state = { buffer, byteOffset: 0 };
    this.cells = new Int32Array(buffer, 0, 1);
  }

  /**
   * Acquires without blocking the thread. Resolves `true` once acquired, or `false` if
   * `timeoutMs` elapsed first (`undefined`: wait forever; `0`: just try).
   */
  async acquire(timeoutMs?: number): Promise<boolean> {
    const deadline = toDeadline(timeoutMs, "Lock.acquire");
    if (tryLock(this.cells, 0)) return true;
    return runAsync(lockUntil(this.cells, 0, deadline));
  }

  /**
   * Acquires, blocking this thread (weft workers only; a timeout of 0 never blocks and is allowed
   * anywhere). Returns `true` once acquired, `false` if `timeoutMs` elapsed first.
   */
  acquireSync(timeoutMs?: number): boolean {
    const deadline = toDeadline(timeoutMs, "Lock.acquireSync");
    if (timeoutMs !== 0) assertMayBlock("Lock.acquireSync()", "await lock.acquire()");
    if (tryLock(this.cells, 0)) return true;
    return runSync(lockUntil(this.cells, 0, deadline));
  }

  /** One attempt that never waits (Python's `acquire(blocking=False)`). */
  tryAcquire(): boolean {
    return tryLock(this.cells, 0);
  }

  /** Releases. Any thread may release a Lock; releasing an unlocked Lock throws NotOwnerError (Python: RuntimeError). */
  release(): void {
    if (!unlock(this.cells, 0)) throw new NotOwnerError("release unlocked lock: this Lock is not locked.");
  }

  /** Whether some thread holds the lock. */
  locked(): boolean {
    return Atomics.load(this.cells, 0) !== UNLOCKED;
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
      isOwned: () => Atomics.load(cells, 0) !== UNLOCKED,
      releaseSave: () => {
        this.release();
        return LOCKED;
      },
      acquireRestore: function* (): Waiting<void> {
        yield* lockUntil(cells, 0, Infinity);
      },
    };
  }

  [SHARED_HANDLE](): SharedDescriptor {
    return { type: TYPE, state: this.state };
  }
}

/** @internal A Lock over 4 bytes of existing shared memory (inside a Value, SharedArray or Barrier). */
export function lockOver(buffer: SharedArrayBuffer, byteOffset: number): Lock {
  return adopt(Lock.prototype, { state: { buffer, byteOffset }, cells: new Int32Array(buffer, byteOffset, 1) });
}

registerSharedType(TYPE, (state) => {
  const { buffer, byteOffset } = checkMemoryState(state, TYPE, BYTES);
  return lockOver(buffer, byteOffset);
});
