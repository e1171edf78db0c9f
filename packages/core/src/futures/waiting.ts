/**
 * `wait` and `asCompleted` of Python's `concurrent.futures`, over weft's {@link Future} (what
 * `Pool.submit` and the executors return). asyncio's `wait` / `asCompleted` (exported at the top
 * level and in `asyncio`) are a different pair, for asyncio Tasks and promises.
 */
import { InvalidArgumentError, TimeoutError } from "../errors.js";
import { Future } from "../future.js";
import { checkKnownKeys } from "../options.js";

/** When {@link wait} returns (Python's `concurrent.futures.FIRST_COMPLETED` / `FIRST_EXCEPTION` / `ALL_COMPLETED`). */
export type ReturnWhen = "FIRST_COMPLETED" | "FIRST_EXCEPTION" | "ALL_COMPLETED";
/** `wait` returns when any future is done (Python's `FIRST_COMPLETED`). */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/** `wait` returns when any future failed (a cancellation does not count), or all are done (Python's `FIRST_EXCEPTION`). */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/** `wait` returns when every future is done (the default; Python's `ALL_COMPLETED`). */
export const ALL_COMPLETED = "ALL_COMPLETED";

/** Options of {@link wait}. */
export interface FuturesWaitOptions {
  /** Milliseconds to wait at most; then `wait` returns (it does not throw) with what is not done. Default: no limit. */
  readonly timeout?: number;
  /** Default "ALL_COMPLETED". */
  readonly returnWhen?: ReturnWhen;
}

/** Options of {@link asCompleted}. */
export interface FuturesAsCompletedOptions {
  /** Milliseconds from the call; when futures are still not done then, the iteration throws TimeoutError (they keep running). */
  readonly timeout?: number;
}

/**
 * A finished future as {@link asCompleted} yields it: the Future itself, typed without
 * `then` / `catch` / `finally`. TypeScript types a `for await` variable as the awaited value of
 * what is yielded, so a thenable type would read as the future's result (the loop does not
 * actually await it); read the outcome with `result()` / `exception()`.
 */
export type CompletedFuture<T> = Omit<Future<T>, "then" | "catch" | "finally">;

/** What {@link wait} resolves: Python's `DoneAndNotDoneFutures(done, not_done)`. */
export interface DoneAndNotDoneFutures<T> {
  readonly done: Set<Future<T>>;
  readonly notDone: Set<Future<T>>;
}

function checkFutures<T>(futures: Iterable<Future<T>>, what: string): Set<Future<T>> {
  if (futures === null || typeof futures !== "object" || typeof (futures as Partial<Iterable<unknown>>)[Symbol.iterator] !== "function") {
    throw new InvalidArgumentError(`${what}: expected an iterable of Futures; got ${String(futures)}.`);
  }
  const unique = new Set<Future<T>>();
  let i = 0;
  for (const future of futures) {
    if (!(future instanceof Future)) {
      throw new InvalidArgumentError(
        `${what}: item ${i} is not a Future (what Pool.submit and the executors return). ` +
          "For asyncio Tasks and promises, use asyncio's wait / asCompleted.",
      );
    }
    // The caller reads the outcome from the future (result(), exception()), not by awaiting it.
    future.catch(() => undefined);
    unique.add(future);
    i++;
  }
  return unique;
}

function checkTimeout(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null || value === Infinity) return undefined;
  if (typeof value !== "number" || !(value >= 0)) {
    throw new InvalidArgumentError(`${what}: timeout must be a number of milliseconds ≥ 0, or left out to wait as long as it takes; got ${String(value)}.`);
  }
  return value;
}

function failed<T>(future: Future<T>): boolean {
  return future.state === "rejected";
}

/**
 * Waits until the `returnWhen` condition holds, or `timeout` ms pass, and resolves the sets of
 * done and not-done futures — the very futures given (Python's
 * `concurrent.futures.wait(fs, timeout=None, return_when=ALL_COMPLETED)`). A timeout does not
 * throw and cancels nothing. Duplicates count once; an empty collection resolves at once (as in
 * Python). Only weft Futures are accepted: asyncio's `wait` takes Tasks and promises and
 * resolves `{ done, pending }`.
 */
export function wait<T>(futures: Iterable<Future<T>>, options: FuturesWaitOptions = {}): Promise<DoneAndNotDoneFutures<T>> {
  const unique = checkFutures(futures, "concurrent.futures.wait");
  checkKnownKeys(options, ["timeout", "returnWhen"], "concurrent.futures.wait options");
  const timeout = checkTimeout(options.timeout, "concurrent.futures.wait");
  const returnWhen = options.returnWhen ?? ALL_COMPLETED;
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) {
    throw new InvalidArgumentError(`concurrent.futures.wait: returnWhen must be "FIRST_COMPLETED", "FIRST_EXCEPTION" or "ALL_COMPLETED"; got ${String(returnWhen)}.`);
  }
  const satisfied = (): boolean => {
    const done = [...unique].filter((f) => f.done());
    if (done.length === unique.size) return true;
    if (returnWhen === FIRST_COMPLETED) return done.length > 0;
    return returnWhen === FIRST_EXCEPTION && done.some(failed);
  };
  const split = (): DoneAndNotDoneFutures<T> => {
    const done = new Set<Future<T>>();
    const notDone = new Set<Future<T>>();
    for (const future of unique) (future.done() ? done : notDone).add(future);
    return { done, notDone };
  };
  if (satisfied()) return Promise.resolve(split());
  return new Promise((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      resolve(split());
    };
    const timer = timeout === undefined ? undefined : setTimeout(finish, timeout);
    for (const future of unique) future.addDoneCallback(() => satisfied() && finish());
  });
}

/**
 * Yields the futures as they finish, in completion order — those already done first (Python's
 * `concurrent.futures.as_completed(fs, timeout=None)`). Each yielded future is done: read its
 * outcome with `result()` / `exception()` (it is typed as {@link CompletedFuture}, so that
 * `for await` gives the future). If futures are still not done `timeout` ms after the call, the
 * iteration throws TimeoutError; nothing is cancelled. Duplicates are yielded once. asyncio's
 * `asCompleted` is the one for asyncio Tasks and promises.
 *
 * @example
 * ```ts
 * for await (const future of concurrent.futures.asCompleted(futures)) console.log(future.result());
 * ```
 */
export function asCompleted<T>(futures: Iterable<Future<T>>, options: FuturesAsCompletedOptions = {}): AsyncIterableIterator<CompletedFuture<T>> {
  const unique = checkFutures(futures, "concurrent.futures.asCompleted");
  checkKnownKeys(options, ["timeout"], "concurrent.futures.asCompleted options");
  const timeout = checkTimeout(options.timeout, "concurrent.futures.asCompleted");
  const deadline = timeout === undefined ? undefined : performance.now() + timeout;
  const ready: Future<T>[] = [];
  let wake: (() => void) | undefined;
  let left = unique.size;
  for (const future of unique) {
    future.addDoneCallback(() => {
      ready.push(future);
      wake?.();
    });
  }
  // A hand-written iterator, not an async generator: a generator would await each yielded
  // Future (it is a thenable) and yield its value instead of the future.
  const iterator: AsyncIterableIterator<CompletedFuture<T>> = {
    async next(): Promise<IteratorResult<CompletedFuture<T>>> {
      if (left <= 0) return { done: true, value: undefined };
      while (ready.length === 0) {
        const remaining = deadline === undefined ? undefined : deadline - performance.now();
        if (remaining !== undefined && remaining <= 0) {
          const unfinished = left;
          left = 0;
          throw new TimeoutError(`concurrent.futures.asCompleted: ${unfinished} (of ${unique.size}) futures unfinished after ${timeout} ms.`);
        }
        await new Promise<void>((resolve) => {
          const timer = remaining === undefined ? undefined : setTimeout(resolve, remaining);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      left--;
      return { done: false, value: ready.shift() as Future<T> };
    },
    async return(): Promise<IteratorResult<CompletedFuture<T>>> {
      left = 0;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
