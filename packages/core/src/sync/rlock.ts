/** threading.RLock over shared memory. */
import { registerSharedType, SHARED_HANDLE, type SharedDescriptor, type SharedHandle } from "../shared-handle.js";
import { TimeoutError } from "../errors.js";
import { assertMayBlock } from "./blocking.js";
import { Held } from "./dispose.js";
import { NotOwnerError } from "./errors.js";
import { lockUntil, tryLock, unlock, UNLOCKED } from "./futex.js";
import { LOCK_HOOKS, type HasLockHooks, type LockHooks } from "./lock-hooks.js";
import { adopt, allocateShared, checkMemoryState, type MemoryState } from "./shared-memory.js";
import { currentThreadId } from "./thread-id.js";
import { toDeadline } from "./timeout.js";
import { runAsync, runSync, type Waiting } from "./wait.js";

const TYPE = "weft.threading.RLock";
const BYTES = 12;
const FUTEX = 0;
const OWNER = 1;
const COUNT = 2;

/**
 * Mirrors Python's `threading.RLock`: a reentrant lock. The thread that acquired it may acquire
 * it again; it is released when that thread has released it as many times. Only the owning
 * thread may release it (otherwise NotOwnerError; Python raises RuntimeError). This is
 * threading's RLock, shared between threads through SharedArrayBuffer; for a lock on one event
 * loop, use asyncio.Lock.
 *
 * Ownership is per thread, as in Python: async tasks on one thread count as the same owner, so
 * an RLock does not exclude two tasks of one event loop from each other (use asyncio.Lock for that).
 *
 * Timeouts are in milliseconds; an acquire whose timeout elapses returns `false` (Python
 * semantics). `acquireSync` blocks and is only allowed inside a weft worker.
 */
export class RLock implements SharedHandle, HasLockHooks {
  private readonly cells: Int32Array;
  private readonly state: MemoryState;

  constructor() {
    const buffer = allocateShared(BYTES, "threading.RLock");
    this.state = { buffer, byteOffset: 0 };
    this.cells = new Int32Array(buffer, 0, 3);
  }

  /** Re-entry or an uncontended acquire; false when another thread holds it. */
  private enter(me: number): boolean {
    const cells = this.cells;
    if (Atomics.load(cells, OWNER) === me) {
      cells[COUNT] = (cells[COUNT] ?? 0) + 1;
      return true;
    }
    if (!tryLock(cells, FUTEX)) return false;
    this.own(me, 1);
    return true;
  }

  private own(me: number, count: number): void {
    this.cells[COUNT] = count;
    Atomics.store(this.cells, OWNER, me);
  }

  /** Acquires without blocking the thread; resolves `false` if `timeoutMs` elapsed first. */
  async acquire(timeoutMs?: number): Promise<boolean> {
    const deadline = toDeadline(timeoutMs, "RLock.acquire");
    const me = currentThreadId();
    if (this.enter(me)) return true;
    const acquired = await runAsync(lockUntil(this.cells, FUTEX, deadline));
    if (acquired) this.own(me, 1);
    return acquired;
  }

  /** Acquires, blocking this thread (weft workers only; timeout 0 is allowed anywhere); `false` if `timeoutMs` elapsed first. */
  acquireSync(timeoutMs?: number): boolean {
    const deadline = toDeadline(timeoutMs, "RLock.acquireSync");
    const me = currentThreadId();
    if (timeoutMs !== 0) assertMayBlock("RLock.acquireSync()", "await rlock.acquire()");
    if (this.enter(me)) return true;
    const acquired = runSync(lockUntil(this.cells, FUTEX, deadline));
    if (acquired) this.own(me, 1);
    return acquired;
  }

  /** One attempt that never waits. */
  tryAcquire(): boolean {
    return this.enter(currentThreadId());
  }

  /** Releases one level; the lock is free when the owner has released every level. Throws NotOwnerError from any other thread. */
  release(): void {
    const cells = this.cells;
    if (Atomics.load(cells, OWNER) !== currentThreadId()) {
      throw new NotOwnerError("cannot release un-acquired lock: this thread does not hold the RLock.");
    }
    const count = (cells[COUNT] ?? 1) - 1;
    cells[COUNT] = count;
    if (count > 0) return;
    Atomics.store(cells, OWNER, 0);
    unlock(cells, FUTEX);
  }

  /** Whether some thread holds the lock. */
  locked(): boolean {
    return Atomics.load(this.cells, FUTEX) !== UNLOCKED;
  }

  /**
   * The id (`threading.currentThreadId()`) of the thread that holds it, or `undefined` while it
   * is free. An RLock whose owner died stays held, as in Python, and only its owner could
   * release it: timed acquires return `false` when they elapse, and this view lets you see that
   * the owner is a thread you terminated. Replace such a lock; it cannot be recovered.
   */
  get owner(): number | undefined {
    const id = Atomics.load(this.cells, OWNER);
    return id === 0 ? undefined : id;
  }

  /** Whether the calling thread holds it (Python's `_is_owned`). */
  isOwned(): boolean {
    return Atomics.load(this.cells, OWNER) === currentThreadId();
  }

  /** Acquires (blocking; workers only) and returns a handle releasing one level on dispose. Throws TimeoutError if `timeoutMs` elapses. */
  holdSync(timeoutMs?: number): Held {
    if (!this.acquireSync(timeoutMs)) throw new TimeoutError(`RLock.holdSync: not acquired within ${timeoutMs} ms.`);
    return new Held(() => this.release());
  }

  /** Acquires and resolves a handle releasing one level on dispose: `await using held = await rlock.hold()`. Rejects with TimeoutError if `timeoutMs` elapses. */
  async hold(timeoutMs?: number): Promise<Held> {
    if (!(await this.acquire(timeoutMs))) throw new TimeoutError(`RLock.hold: not acquired within ${timeoutMs} ms.`);
    return new Held(() => this.release());
  }

  /** @internal Condition's view of this lock. */
  get [LOCK_HOOKS](): LockHooks {
    const cells = this.cells;
    return {
      isOwned: () => this.isOwned(),
      releaseSave: () => {
        if (!this.isOwned()) throw new NotOwnerError("cannot release un-acquired lock: this thread does not hold the RLock.");
        const count = cells[COUNT] ?? 1;
        cells[COUNT] = 0;
        Atomics.store(cells, OWNER, 0);
        unlock(cells, FUTEX);
        return count;
      },
      holder: () => this.owner,
      acquireRestore: function* (this: void, saved: number, deadline: number): Waiting<boolean> {
        if (!(yield* lockUntil(cells, FUTEX, deadline))) return false;
        cells[COUNT] = saved;
        Atomics.store(cells, OWNER, currentThreadId());
        return true;
      },
    };
  }

  [SHARED_HANDLE](): SharedDescriptor {
    return { type: TYPE, state: this.state };
  }
}

registerSharedType(TYPE, (state) => {
  const { buffer, byteOffset } = checkMemoryState(state, TYPE, BYTES);
  return adopt(RLock.prototype, { state: { buffer, byteOffset }, cells: new Int32Array(buffer, byteOffset, 3) });
});
