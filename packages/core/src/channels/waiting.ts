/**
 * What a channel store keeps for each worker and each wait: a worker's {@link Lease} (its credit
 * and the items handed to it), and the puts, gets and joins waiting for room, an item or the last
 * taskDone, each with its timeout and abort listener.
 */
import { TimeoutError } from "../errors.js";
import { callAt, now, onAbort } from "../asyncio/internal.js";
import type { Entry, ItemDeque } from "./item-deque.js";

/**
 * Puts a worker may send ahead of any answer, at most (per queue): four put batches, so that a
 * producer still has credit for the next batches while the owner's grant for the first is on its way.
 */
export const CREDIT_WINDOW = 65536;

/** One worker's standing with one queue, kept by the host of that worker. */
export interface Lease {
  credit: number;
  /** Items handed to the worker, oldest first, not yet reported taken. */
  readonly held: ItemDeque<unknown>;
  /** A recall was sent and not answered yet. */
  recalling: boolean;
  /** Asks the worker to give back its untaken items and unused credit. */
  recall(closed: boolean): void;
  /**
   * For a thread worker where shared memory exists: cell 0 counts every item the worker's code
   * was handed from this lease, and the worker updates it at each take; `reported` is how many
   * of those its messages said. The difference is what it took and could not tell before it died.
   */
  readonly takes?: Int32Array;
  reported: number;
  /** Tells the worker it may send `count` more puts without asking. */
  grant(count: number): void;
}

/** How long an operation may wait, and what withdraws it. */
export interface Wait {
  readonly timeout: number | null;
  readonly signal?: AbortSignal;
}

export interface Waiting {
  readonly lease: Lease | undefined;
  settled: boolean;
  cleanup: () => void;
  fail(error: unknown): void;
}

export interface Getter<T> extends Waiting {
  readonly want: number;
  deliver(entries: Entry<T>[]): void;
}

export interface Putter<T> extends Waiting {
  readonly value: T;
  done(): void;
}

/** Starts `waiting`'s timeout and abort listener; `end` is called with the error of whichever comes first. */
export function armWaiting(waiting: Waiting, wait: Wait, timeoutMessage: string, end: (error: unknown) => void): void {
  const cleanups: (() => void)[] = [];
  if (wait.timeout !== null) cleanups.push(callAt(now() + wait.timeout, () => end(new TimeoutError(timeoutMessage))));
  if (wait.signal) {
    const signal = wait.signal;
    cleanups.push(onAbort(signal, () => end(signal.reason)));
  }
  waiting.cleanup = () => cleanups.forEach((c) => c());
}

/** Takes a waiter out of its list (its timer and abort listener too); the caller settles it. */
export function settleWaiting<W extends Waiting>(waiting: W, list?: Waiting[]): W {
  waiting.settled = true;
  waiting.cleanup();
  if (list) {
    const i = list.indexOf(waiting);
    if (i >= 0) list.splice(i, 1);
  }
  return waiting;
}
