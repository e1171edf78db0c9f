/**
 * gather: run awaitables concurrently and collect their results in order, after Python's `asyncio.gather`.
 */
import { InvalidArgumentError } from "../errors.js";
import { type Awaitable, type AwaitedValue, toArray, toAwaitable } from "./awaitables.js";
import { checkOptions, checkSignal, describe, onAbort, toAbortError } from "./internal.js";
import { Task } from "./task.js";

/** Options of {@link gather}. */
export interface GatherOptions {
  /**
   * false (default): the first error (an AbortError included) rejects the gather at once; the other items
   * keep running — they are NOT cancelled, as in Python. true: errors are placed in the results like values.
   */
  returnExceptions?: boolean;
  /**
   * Cancels the gather (Python's `gather(...).cancel()`): every Task item not done yet is cancelled, and once
   * those tasks finished the gather rejects with an AbortError (also with `returnExceptions`). Plain
   * promises cannot be cancelled and are not waited for. Has no effect once the gather has settled.
   */
  signal?: AbortSignal;
}

/** The results of a gather, index by index. */
export type GatherResults<A extends readonly unknown[]> = { -readonly [K in keyof A]: AwaitedValue<A[K]> };
/**
 * The results of a gather with `returnExceptions: true`: a value or the thrown error at each index. (A
 * thrown non-Error value is placed as is; the type assumes Errors, as is usual for rejection reasons.)
 */
export type GatherSettled<A extends readonly unknown[]> = { -readonly [K in keyof A]: AwaitedValue<A[K]> | Error };

/**
 * Runs every item concurrently and resolves with their values in input order. Mirrors Python's
 * `asyncio.gather(*aws, return_exceptions=False)`:
 * - items are Tasks, promises, or functions `(signal) => Promise` (each started as a Task — like the
 *   coroutines Python wraps in tasks); anything else → InvalidArgumentError;
 * - without `returnExceptions` the first error rejects the gather and the other items keep running (not
 *   cancelled — use a {@link TaskGroup} for that); their later errors are handled, never unhandled;
 * - with `returnExceptions: true` errors (AbortErrors of cancelled items included) take their item's place;
 * - `gather([])` resolves with `[]`; the same item twice gives its value twice.
 *
 * Difference: the items are passed as one array (not variadic), so the options can follow and the result
 * is typed as a tuple.
 */
export function gather<const A extends readonly Awaitable<unknown>[]>(items: A, options?: GatherOptions & { returnExceptions?: false }): Promise<GatherResults<A>>;
export function gather<const A extends readonly Awaitable<unknown>[]>(items: A, options: GatherOptions & { returnExceptions: true }): Promise<GatherSettled<A>>;
export function gather<const A extends readonly Awaitable<unknown>[]>(items: A, options?: GatherOptions): Promise<GatherResults<A> | GatherSettled<A>>;
export function gather(items: readonly unknown[], options?: GatherOptions): Promise<unknown[]> {
  let awaitables: (Task<unknown> | PromiseLike<unknown>)[];
  let signal: AbortSignal | undefined;
  let returnExceptions: boolean;
  try {
    const list = toArray(items, "gather");
    checkOptions(options, ["returnExceptions", "signal"], "gather");
    const re = options?.returnExceptions ?? false;
    if (typeof re !== "boolean") {
      throw new InvalidArgumentError(`gather: returnExceptions must be true or false, got ${describe(re)}.`);
    }
    returnExceptions = re;
    signal = checkSignal(options?.signal, "gather");
    awaitables = list.map((item, i) => toAwaitable(item, "gather", i));
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise<unknown[]>((resolve, reject) => {
    const results = new Array<unknown>(awaitables.length);
    let remaining = awaitables.length;
    let settled = false;
    const settle = (ok: boolean, value: unknown): void => {
      if (settled) return;
      settled = true;
      unlink();
      if (ok) resolve(value as unknown[]);
      else reject(value);
    };
    const cancel = (): void => {
      if (settled) return;
      // Python: cancelling the gather cancels every child not done yet, waits for them, then the gather
      // itself ends cancelled — even with returnExceptions.
      settled = true;
      unlink();
      const reason = toAbortError(signal?.reason, "gather was cancelled.");
      const tasks = awaitables.filter((a): a is Task<unknown> => a instanceof Task);
      for (const task of tasks) task.cancel(reason);
      void Promise.allSettled(tasks).then(() => reject(reason));
    };
    const unlink = onAbort(signal, cancel);
    if (signal?.aborted) cancel();
    if (remaining === 0) settle(true, results);
    awaitables.forEach((awaitable, i) => {
      Promise.resolve(awaitable).then(
        (value) => {
          results[i] = value;
          if (--remaining === 0) settle(true, results);
        },
        (error: unknown) => {
          if (!returnExceptions) {
            settle(false, error);
            return;
          }
          results[i] = error;
          if (--remaining === 0) settle(true, results);
        },
      );
    });
  });
}
