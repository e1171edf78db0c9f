/**
 * What Condition needs from its lock (Python's `_is_owned`, `_release_save`, `_acquire_restore`):
 * release it completely while waiting (an RLock may be held several levels deep) and restore it.
 */
import type { Waiting } from "./wait.js";

export const LOCK_HOOKS: unique symbol = Symbol("weft.threading.lockHooks") as never;

export interface LockHooks {
  /** Whether the calling thread holds the lock (for a plain Lock: whether anyone does, as in Python). */
  isOwned(): boolean;
  /** The thread id of the holder (for a plain Lock: its last acquirer), or undefined while free. */
  holder(): number | undefined;
  /** Releases completely; returns what {@link acquireRestore} needs. */
  releaseSave(): number;
  /** Re-acquires and restores the saved state; false (not acquired) if `deadline` passed first. */
  acquireRestore(saved: number, deadline: number): Waiting<boolean>;
}

export interface HasLockHooks {
  readonly [LOCK_HOOKS]: LockHooks;
}
