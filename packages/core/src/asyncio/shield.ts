/**
 * shield: protect work from the cancellation of whoever awaits it, after Python's `asyncio.shield`.
 */
import { toAwaitable } from "./awaitables.js";
import { checkOptions, checkSignal, ignoreRejection, onAbort, toAbortError } from "./internal.js";
import { Task } from "./task.js";

/**
 * Awaits `work` such that cancelling the awaiter does not cancel the work. Mirrors Python's
 * `await asyncio.shield(aw)`: when `options.signal` (the awaiter's signal, e.g. its task's) aborts, the
 * returned promise rejects with an AbortError at once, while the work — a Task, a promise, or a function
 * `(signal) => Promise` started as a Task with no parent — keeps running. If the work itself is cancelled,
 * the awaiter sees its AbortError, as in Python. Keep a reference to the Task (e.g. in a set) if you want
 * its outcome after the awaiter was cancelled.
 *
 * @example
 * // The save finishes even if this request handler is cancelled.
 * await shield((signal) => saveToDatabase(record, signal), { signal: handlerSignal });
 */
export function shield<T>(work: Task<T> | PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T> | T), options?: { signal?: AbortSignal }): Promise<T> {
  let inner: Task<unknown> | PromiseLike<unknown>;
  let signal: AbortSignal | undefined;
  try {
    checkOptions(options, ["signal"], "shield");
    signal = checkSignal(options?.signal, "shield");
    inner = toAwaitable(work, "shield", 0);
  } catch (error) {
    return Promise.reject(error);
  }
  if (!(inner instanceof Task)) ignoreRejection(inner);
  const outer = signal;
  return new Promise<T>((resolve, reject) => {
    if (outer?.aborted) {
      reject(toAbortError(outer.reason, "The awaiter of a shielded task was cancelled."));
      return;
    }
    const unlink = onAbort(outer, () => reject(toAbortError(outer?.reason, "The awaiter of a shielded task was cancelled.")));
    Promise.resolve(inner).then(
      (value) => { unlink(); resolve(value as T); },
      (error: unknown) => { unlink(); reject(error); },
    );
  });
}
