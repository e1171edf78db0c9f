/**
 * sleep: a cancellable pause, after Python's `asyncio.sleep`.
 */
import { callAt, checkDelay, checkOptions, checkSignal, now, onAbort } from "./internal.js";

/** Options of {@link sleep}. */
export interface SleepOptions<T> {
  /** Aborting it ends the sleep early: the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** The value the sleep resolves with (Python's `result` argument). */
  value?: T;
}

/**
 * Resolves after `ms` milliseconds with `options.value`. Mirrors Python's `asyncio.sleep(delay, result)`:
 * other tasks run meanwhile; `sleep(0)` just yields to the event loop (one macrotask turn); a task
 * cancelled while sleeping sees its AbortError here (pass the task's signal). `Infinity` sleeps until
 * aborted. A delay above setTimeout's limit (~24.8 days) is honoured, not shortened.
 *
 * Difference: Python treats a negative delay as 0; weft rejects NaN, negative and non-number delays with
 * an InvalidArgumentError, since they are almost always a bug in the caller's arithmetic.
 */
export function sleep<T = undefined>(ms: number, options?: SleepOptions<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let signal: AbortSignal | undefined;
    try {
      checkDelay(ms, "sleep");
      checkOptions(options, ["signal", "value"], "sleep");
      signal = checkSignal(options?.signal, "sleep");
    } catch (error) {
      reject(error);
      return;
    }
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const cancelTimer = callAt(now() + ms, () => {
      unlink();
      resolve(options?.value as T);
    });
    const unlink = onAbort(signal, () => {
      cancelTimer();
      reject(signal?.reason);
    });
  });
}
