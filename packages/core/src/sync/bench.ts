/** A micro-benchmark hook: the cost of an uncontended Lock acquire + release. */
import { Lock } from "./lock.js";

/**
 * Runs `iterations` uncontended acquire/release pairs on `lock` (a new Lock by default) and
 * returns the elapsed milliseconds (performance.now()). Never blocks: it uses `tryAcquire`,
 * which is the same compareExchange the blocking paths start with.
 */
export function lockRoundTrips(iterations: number, lock: Lock = new Lock()): number {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    if (!lock.tryAcquire()) throw new Error("lockRoundTrips: the lock is held elsewhere; give it an uncontended lock.");
    lock.release();
  }
  return performance.now() - start;
}
