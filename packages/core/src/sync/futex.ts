/**
 * The classic three-state futex mutex (Drepper, "Futexes Are Tricky", mutex 3) over one int32:
 * 0 unlocked, 1 locked, 2 locked with (possible) waiters. Uncontended acquire + release costs one
 * compareExchange and one exchange; Atomics.notify runs only when someone may be waiting.
 */
import type { Waiting } from "./wait.js";

export const UNLOCKED = 0;
export const LOCKED = 1;
export const CONTENDED = 2;

/** One attempt, never waits. */
export function tryLock(cells: Int32Array, index: number): boolean {
  return Atomics.compareExchange(cells, index, UNLOCKED, LOCKED) === UNLOCKED;
}

/** Acquires, waiting until `deadline`; false when it passed first. */
export function* lockUntil(cells: Int32Array, index: number, deadline: number): Waiting<boolean> {
  let state = Atomics.compareExchange(cells, index, UNLOCKED, LOCKED);
  if (state === UNLOCKED) return true;
  if (state !== CONTENDED) state = Atomics.exchange(cells, index, CONTENDED);
  if (state === UNLOCKED) return true;
  for (;;) {
    const outcome = yield { cells, index, expected: CONTENDED, deadline };
    if (Atomics.exchange(cells, index, CONTENDED) === UNLOCKED) return true;
    if (outcome === "timed-out") return false;
  }
}

/** Releases; returns false when the lock was not locked (and leaves it unlocked). */
export function unlock(cells: Int32Array, index: number): boolean {
  const previous = Atomics.exchange(cells, index, UNLOCKED);
  if (previous === CONTENDED) Atomics.notify(cells, index, 1);
  return previous !== UNLOCKED;
}
