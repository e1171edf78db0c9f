/** threading.Condition over shared memory. */
import { registerSharedType, reviveShared, SHARED_HANDLE, type SharedDescriptor, type SharedHandle } from "../shared-handle.js";
import { InvalidArgumentError, TimeoutError } from "../errors.js";
import { assertMayBlock } from "./blocking.js";
import type { Held } from "./dispose.js";
import { NotOwnerError } from "./errors.js";
import { Lock } from "./lock.js";
import { LOCK_HOOKS, type LockHooks } from "./lock-hooks.js";
import { RLock } from "./rlock.js";
import { adopt, allocateShared, checkMemoryState, type MemoryState } from "./shared-memory.js";
import { toDeadline } from "./timeout.js";
import { runAsync, runSync, type Waiting } from "./wait.js";

const TYPE = "weft.threading.Condition";
/** Bytes a Condition's own state takes (its lock lives elsewhere). */
export const CONDITION_BYTES = 12;
/** Bumped (under the lock) by every notify; waiters sleep on it. */
const SEQ = 0;
/** Waiters registered and not yet notified (changed only under the lock). */
const WAITERS = 1;
/** Notifications handed out and not yet taken by a waiter. */
const SIGNALS = 2;

/** @internal The waiting algorithms, for Barrier. */
export const CONDITION_WAIT: unique symbol = Symbol("weft.threading.conditionWait") as never;
export const CONDITION_WAIT_FOR: unique symbol = Symbol("weft.threading.conditionWaitFor") as never;

function takeSignal(cells: Int32Array): boolean {
  let signals = Atomics.load(cells, SIGNALS);
  while (signals > 0) {
    const seen = Atomics.compareExchange(cells, SIGNALS, signals, signals - 1);
    if (seen === signals) return true;
    signals = seen;
  }
  return false;
}

/**
 * How long a timed wait may take to re-acquire its lock: the deadline plus the timeout once more.
 * Python re-acquires without a limit; weft bounds it so that a timed wait returns even when the
 * lock's holder died (an untimed wait keeps Python's unbounded re-acquire).
 */
function reacquireDeadline(deadline: number, startedAt: number): number {
  return deadline === Infinity ? Infinity : deadline + Math.max(0, deadline - startedAt);
}

function checkCount(n: unknown): number {
  if (n === Infinity) return Infinity;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(`Condition.notify(n): n must be an integer ≥ 0; got ${String(n)}.`);
  }
  return n;
}

/**
 * Mirrors Python's `threading.Condition`: a condition variable over a Lock or RLock (by default a
 * new RLock, as in Python). Hold the lock, then `wait` releases it until another thread calls
 * `notify(n)` / `notifyAll()` (also holding it), and re-acquires it before returning. This is
 * threading's Condition (shared between threads through SharedArrayBuffer); for one event loop
 * use asyncio.Condition.
 *
 * `notify(n)` wakes at most `n` threads among those waiting when it was called; none is lost.
 * Which of them wakes is unspecified (as in Python's documentation). Timeouts are in
 * milliseconds; `wait` returns `false` when the timeout elapsed (Python semantics), after
 * re-acquiring the lock. The `*Sync` methods block and are only allowed inside a weft worker.
 *
 * Dead parties: a timed `wait` honours its timeout whatever the other threads did. If it cannot
 * re-acquire the lock within the timeout once more after waiting (the lock's holder died holding
 * it, say), it rejects with TimeoutError without the lock, where Python would block forever.
 *
 * RLock ownership is per thread, so several async tasks of one thread all "hold" a default
 * (RLock) Condition at once: when tasks of one thread share a Condition, give it a Lock
 * (`new Condition(new Lock())`), or use asyncio.Condition.
 */
export class Condition implements SharedHandle {
  /** The underlying lock (shared with anyone who passed it in). */
  readonly lock: Lock | RLock;
  private readonly cells: Int32Array;
  private readonly state: MemoryState;
  private readonly hooks: LockHooks;

  constructor(lock?: Lock | RLock) {
    if (lock !== undefined && !(lock instanceof Lock) && !(lock instanceof RLock)) {
      throw new InvalidArgumentError("Condition(lock): lock must be a threading Lock or RLock.");
    }
    const buffer = allocateShared(CONDITION_BYTES, "threading.Condition");
    this.lock = lock ?? new RLock();
    this.hooks = this.lock[LOCK_HOOKS];
    this.state = { buffer, byteOffset: 0 };
    this.cells = new Int32Array(buffer, 0, 3);
  }

  /** Acquires the underlying lock without blocking the thread (see Lock.acquire / RLock.acquire). */
  acquire(timeoutMs?: number): Promise<boolean> {
    return this.lock.acquire(timeoutMs);
  }

  /** Acquires the underlying lock, blocking (weft workers only). */
  acquireSync(timeoutMs?: number): boolean {
    return this.lock.acquireSync(timeoutMs);
  }

  /** Releases the underlying lock. */
  release(): void {
    this.lock.release();
  }

  /** Holds the underlying lock until disposed: `await using held = await cond.hold()`. */
  hold(timeoutMs?: number): Promise<Held> {
    return this.lock.hold(timeoutMs);
  }

  /** Holds the underlying lock until disposed (blocking; workers only): `using held = cond.holdSync()`. */
  holdSync(timeoutMs?: number): Held {
    return this.lock.holdSync(timeoutMs);
  }

  /**
   * Releases the lock, waits without blocking the thread until notified or until `timeoutMs`
   * elapses, re-acquires the lock, and resolves `true` if notified, `false` on timeout.
   * Rejects with NotOwnerError if the lock is not held.
   */
  async wait(timeoutMs?: number): Promise<boolean> {
    const deadline = toDeadline(timeoutMs, "Condition.wait");
    return runAsync(this[CONDITION_WAIT](deadline));
  }

  /** Same as {@link wait}, blocking this thread (weft workers only, whatever the timeout). */
  waitSync(timeoutMs?: number): boolean {
    const deadline = toDeadline(timeoutMs, "Condition.waitSync");
    assertMayBlock("Condition.waitSync()", "await cond.wait()");
    return runSync(this[CONDITION_WAIT](deadline));
  }

  /**
   * Waits until `predicate()` is truthy (checking it first, then after each wake-up), or until
   * `timeoutMs` elapses; resolves the predicate's last value (Python's `wait_for`). The lock must be held.
   */
  async waitFor<T>(predicate: () => T, timeoutMs?: number): Promise<T> {
    const deadline = toDeadline(timeoutMs, "Condition.waitFor");
    return runAsync(this[CONDITION_WAIT_FOR](predicate, deadline));
  }

  /** Same as {@link waitFor}, blocking this thread (weft workers only). */
  waitForSync<T>(predicate: () => T, timeoutMs?: number): T {
    const deadline = toDeadline(timeoutMs, "Condition.waitForSync");
    assertMayBlock("Condition.waitForSync()", "await cond.waitFor(predicate)");
    return runSync(this[CONDITION_WAIT_FOR](predicate, deadline));
  }

  /** Wakes up to `n` (default 1) of the threads waiting now. The lock must be held (else NotOwnerError). */
  notify(n = 1): void {
    const count = checkCount(n);
    if (!this.hooks.isOwned()) throw new NotOwnerError("cannot notify on un-acquired lock: hold the Condition's lock to notify.");
    const cells = this.cells;
    const wake = Math.min(count, Atomics.load(cells, WAITERS));
    if (wake <= 0) return;
    Atomics.sub(cells, WAITERS, wake);
    const pending = Atomics.add(cells, SIGNALS, wake);
    Atomics.add(cells, SEQ, 1);
    // With earlier notifications still untaken, wake everyone so that none is left stranded;
    // waiters that find no notification to take go back to sleep.
    Atomics.notify(cells, SEQ, pending > 0 ? undefined : wake);
  }

  /** Wakes every waiting thread (Python's `notify_all`). The lock must be held. */
  notifyAll(): void {
    this.notify(Infinity);
  }

  /** @internal */
  *[CONDITION_WAIT](deadline: number): Waiting<boolean> {
    const { cells, hooks } = this;
    if (!hooks.isOwned()) throw new NotOwnerError("cannot wait on un-acquired lock: hold the Condition's lock to wait.");
    const startedAt = performance.now();
    // A waiter may only take notifications made after it registered (SEQ changes under the lock).
    const registeredAt = Atomics.load(cells, SEQ);
    Atomics.add(cells, WAITERS, 1);
    const saved = hooks.releaseSave();
    let notified = false;
    for (;;) {
      const seq = Atomics.load(cells, SEQ);
      if (seq !== registeredAt && takeSignal(cells)) {
        notified = true;
        break;
      }
      const outcome = yield { cells, index: SEQ, expected: seq, deadline };
      if (outcome === "timed-out") break;
    }
    if (!(yield* hooks.acquireRestore(saved, reacquireDeadline(deadline, startedAt)))) {
      // The lock's holder kept it past the timeout, given once more to re-acquire it: most
      // likely it died holding it. Unregister and fail rather than wedge.
      if (!notified && !(Atomics.load(cells, SEQ) !== registeredAt && takeSignal(cells))) Atomics.sub(cells, WAITERS, 1);
      throw new TimeoutError(
        `Condition.wait: could not re-acquire the lock after the wait (held by thread ${String(hooks.holder())}, ` +
          "which may have died holding it); the lock is not held now.",
      );
    }
    if (!notified) {
      // Timed out. A notification made meanwhile is ours to take; otherwise unregister.
      if (Atomics.load(cells, SEQ) !== registeredAt && takeSignal(cells)) notified = true;
      else Atomics.sub(cells, WAITERS, 1);
    }
    return notified;
  }

  /** @internal */
  *[CONDITION_WAIT_FOR]<T>(predicate: () => T, deadline: number): Waiting<T> {
    let result = predicate();
    while (!result) {
      if (deadline !== Infinity && performance.now() >= deadline) break;
      yield* this[CONDITION_WAIT](deadline);
      result = predicate();
    }
    return result;
  }

  [SHARED_HANDLE](): SharedDescriptor {
    return { type: TYPE, state: { ...this.state, lock: this.lock[SHARED_HANDLE]() } };
  }
}

/** @internal A Condition over CONDITION_BYTES of existing shared memory and an existing lock (inside a Barrier). */
export function conditionOver(buffer: SharedArrayBuffer, byteOffset: number, lock: Lock | RLock): Condition {
  return adopt(Condition.prototype, {
    lock,
    hooks: lock[LOCK_HOOKS],
    state: { buffer, byteOffset },
    cells: new Int32Array(buffer, byteOffset, 3),
  });
}

registerSharedType(TYPE, (state) => {
  const { buffer, byteOffset } = checkMemoryState(state, TYPE, CONDITION_BYTES);
  const lock = reviveShared((state as { lock: SharedDescriptor }).lock);
  if (!(lock instanceof Lock) && !(lock instanceof RLock)) {
    throw new InvalidArgumentError(`Cannot revive ${TYPE}: its lock is not a threading Lock or RLock.`);
  }
  return conditionOver(buffer, byteOffset, lock);
});
