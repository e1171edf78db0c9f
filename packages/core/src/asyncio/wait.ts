/**
 * wait / asCompleted: wait for some of several awaitables, after Python's `asyncio.wait` and
 * `asyncio.as_completed`.
 */
import { InvalidArgumentError, TimeoutError } from "../errors.js";
import { toArray, toAwaitable } from "./awaitables.js";
import { callAt, checkOptions, checkSignal, checkTimeout, describe, isCancellation, isThenable, now, onAbort } from "./internal.js";
import { Task, taskFromPromise } from "./task.js";

/** When {@link wait} returns. Python's `asyncio.FIRST_COMPLETED` / `FIRST_EXCEPTION` / `ALL_COMPLETED`. */
export type ReturnWhen = "FIRST_COMPLETED" | "FIRST_EXCEPTION" | "ALL_COMPLETED";

/** `wait` returns when any item finished. Mirrors Python's `asyncio.FIRST_COMPLETED`. */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/** `wait` returns when any item failed (cancellations aside), or all finished. Mirrors `asyncio.FIRST_EXCEPTION`. */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/** `wait` returns when every item finished (the default). Mirrors `asyncio.ALL_COMPLETED`. */
export const ALL_COMPLETED = "ALL_COMPLETED";

/** Options of {@link wait}. */
export interface WaitForItemsOptions {
  /** Default "ALL_COMPLETED". */
  returnWhen?: ReturnWhen;
  /** Milliseconds to wait at most; on expiry `wait` returns (it does not throw) with what is still pending. */
  timeout?: number | null;
  /** Aborting it makes `wait` reject with `signal.reason`; the items are not cancelled (as in Python). */
  signal?: AbortSignal;
}

type Item = Task<unknown> | PromiseLike<unknown>;

/**
 * Waits until the `returnWhen` condition holds (or the timeout passes) and returns `{ done, pending }`, sets
 * of the very items given. Mirrors Python's `asyncio.wait(aws, timeout=None, return_when=ALL_COMPLETED)`:
 * - FIRST_COMPLETED: any item finished; FIRST_EXCEPTION: any item failed (a cancellation does not count)
 *   or all finished; ALL_COMPLETED: all finished;
 * - the timeout does not throw and nothing is cancelled: what is unfinished is in `pending`;
 * - an empty collection → InvalidArgumentError (Python's ValueError); functions are refused (Python refuses
 *   coroutines since 3.11): wrap them in {@link createTask} first, so you hold the objects that come back.
 * Items are Tasks or promises; duplicates count once (they form a set, as in Python).
 */
export async function wait<T extends Item>(items: Iterable<T>, options?: WaitForItemsOptions): Promise<{ done: Set<T>; pending: Set<T> }> {
  const list = toArray(items, "wait");
  checkOptions(options, ["returnWhen", "timeout", "signal"], "wait");
  const returnWhen = options?.returnWhen ?? ALL_COMPLETED;
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) {
    throw new InvalidArgumentError(`wait: returnWhen must be "FIRST_COMPLETED", "FIRST_EXCEPTION" or "ALL_COMPLETED", got ${describe(returnWhen)}.`);
  }
  const timeout = checkTimeout(options?.timeout, "wait");
  const signal = checkSignal(options?.signal, "wait");
  const unique = new Set<T>();
  list.forEach((item, i) => {
    if (!(item instanceof Task) && !isThenable(item)) {
      const hint = typeof item === "function" ? " Wrap functions in createTask() first, so you keep the task objects that wait returns." : "";
      throw new InvalidArgumentError(`wait: item ${i} is ${describe(item)}; expected a Task or a promise.${hint}`);
    }
    unique.add(item as T);
  });
  if (unique.size === 0) {
    throw new InvalidArgumentError("wait: the collection of tasks/promises is empty; pass at least one.");
  }
  signal?.throwIfAborted();
  const finished = new Set<T>();
  await new Promise<void>((resolve, reject) => {
    let stopped = false;
    const stop = (): void => {
      stopped = true;
      cancelTimer();
      unlink();
    };
    const cancelTimer = timeout === null ? () => {} : callAt(now() + timeout, () => {
      stop();
      resolve();
    });
    const unlink = onAbort(signal, () => {
      stop();
      reject(signal?.reason);
    });
    const completed = (item: T, failed: boolean): void => {
      finished.add(item);
      if (stopped) return;
      if (finished.size === unique.size || returnWhen === FIRST_COMPLETED || (returnWhen === FIRST_EXCEPTION && failed)) {
        stop();
        resolve();
      }
    };
    for (const item of unique) {
      Promise.resolve(item).then(
        () => completed(item, false),
        (error: unknown) => completed(item, !isCancellation(error)),
      );
    }
  });
  const done = new Set<T>();
  const pending = new Set<T>();
  for (const item of unique) (finished.has(item) ? done : pending).add(item);
  return { done, pending };
}

/** Options of {@link asCompleted}. */
export interface AsCompletedOptions {
  /** Milliseconds; if items are still unfinished then, the iteration throws a TimeoutError (items keep running). */
  timeout?: number | null;
  /** Aborting it makes the pending `next()` reject with `signal.reason`; items keep running. */
  signal?: AbortSignal;
}

/**
 * Yields the items as they finish, in completion order, each as a finished {@link Task} (the Task you passed,
 * or a Task wrapping the promise/function you passed) — `await` it or read `result()` / `exception()`.
 * Mirrors Python 3.13's `async for task in asyncio.as_completed(aws, timeout=None)`, which also yields the
 * original tasks. On timeout the tasks that already finished are yielded, then a TimeoutError is thrown;
 * nothing is cancelled (as in Python). Leaving the loop early cancels nothing either. Duplicates count once.
 *
 * @example
 * for await (const task of asCompleted([a, b, c])) console.log(await task);
 */
export function asCompleted<T>(
  items: Iterable<Task<T> | PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T> | T)>,
  options?: AsCompletedOptions,
): AsyncIterableIterator<Task<T>> {
  const list = toArray(items, "asCompleted");
  checkOptions(options, ["timeout", "signal"], "asCompleted");
  const timeout = checkTimeout(options?.timeout, "asCompleted");
  const signal = checkSignal(options?.signal, "asCompleted");
  const unique = new Set<Task<T>>();
  const seen = new Set<unknown>();
  list.forEach((item, i) => {
    if (seen.has(item)) return;
    seen.add(item);
    const awaitable = toAwaitable(item, "asCompleted", i);
    unique.add((awaitable instanceof Task ? awaitable : taskFromPromise(awaitable)) as Task<T>);
  });

  const ready: Task<T>[] = [];
  let left = unique.size;
  let timedOut = false;
  let closed = false;
  const wakers = new Set<() => void>();
  const wake = (): void => {
    for (const w of [...wakers]) w();
  };
  const onDone = (task: Task<T>): void => {
    ready.push(task);
    wake();
  };
  for (const task of unique) task.addDoneCallback(onDone);
  const cancelTimer = timeout === null ? () => {} : callAt(now() + timeout, () => {
    timedOut = true;
    wake();
  });
  const close = (): void => {
    closed = true;
    cancelTimer();
    for (const task of unique) task.removeDoneCallback(onDone);
  };
  if (left === 0) close();

  const iterator: AsyncIterableIterator<Task<T>> = {
    async next(): Promise<IteratorResult<Task<T>>> {
      for (;;) {
        if (left === 0 || closed) {
          close();
          return { done: true, value: undefined };
        }
        const task = ready.shift();
        if (task) {
          left--;
          if (left === 0) close();
          return { done: false, value: task };
        }
        if (timedOut) {
          close();
          throw new TimeoutError(`asCompleted: ${left} item(s) did not finish within ${timeout} ms.`);
        }
        signal?.throwIfAborted();
        await new Promise<void>((resolve, reject) => {
          const waker = (): void => {
            wakers.delete(waker);
            unlink();
            resolve();
          };
          const unlink = onAbort(signal, () => {
            wakers.delete(waker);
            reject(signal?.reason);
          });
          wakers.add(waker);
        });
      }
    },
    async return(): Promise<IteratorResult<Task<T>>> {
      close();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
