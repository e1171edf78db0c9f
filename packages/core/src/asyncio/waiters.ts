/**
 * The FIFO waiter list behind every asyncio primitive (Python keeps a deque of futures for this).
 *
 * A waiter is "woken" when the primitive grants it something; it then stays in the list until its
 * continuation runs, so newcomers keep queueing behind it (FIFO fairness). A waiter whose signal aborts
 * (or whose timeout passes) before it is woken leaves the list at once and rejects; one aborted after it
 * was woken is handled by the primitive when it resumes (see `resumedAborted`), which hands the grant on.
 */
import { TimeoutError } from "../errors.js";
import { callAt, checkOptions, checkSignal, checkTimeout, now, onAbort } from "./internal.js";

/** Options every waiting method of the asyncio primitives accepts. */
export interface WaitOptions {
  /** Aborting it makes the waiter leave the queue (without taking a permit/item) and reject with `signal.reason`. */
  signal?: AbortSignal;
  /** Milliseconds to wait at most; then the waiter leaves the queue and rejects with a TimeoutError. */
  timeout?: number | null;
}

/** Checked wait options: the signal, and the absolute deadline (ms on the `now()` clock) or null. */
export interface ParsedWait {
  readonly signal: AbortSignal | undefined;
  readonly deadline: number | null;
  readonly timeout: number | null;
  readonly where: string;
}

/**
 * Waits without signal or timeout, by caller: the most common ones, shared rather than made per
 * call (a queue's get and put parse one each; a producer's garbage was mostly these).
 */
const unboundedWaits = new Map<string, ParsedWait>();

/** Validates {@link WaitOptions}; throws the signal's reason if it is already aborted. */
export function parseWait(options: WaitOptions | undefined, where: string): ParsedWait {
  if (options === undefined) {
    let wait = unboundedWaits.get(where);
    if (!wait) unboundedWaits.set(where, (wait = Object.freeze({ signal: undefined, deadline: null, timeout: null, where })));
    return wait;
  }
  checkOptions(options, ["signal", "timeout"], where);
  const signal = checkSignal(options?.signal, where);
  const timeout = checkTimeout(options?.timeout, where);
  signal?.throwIfAborted();
  return { signal, timeout, deadline: timeout === null ? null : now() + timeout, where };
}

/** After a woken waiter resumed: true if its signal was aborted in between (it must hand its grant on). */
export function resumedAborted(wait: ParsedWait): boolean {
  return wait.signal?.aborted === true;
}

export class Waiter<V> {
  woken = false;
  readonly promise: Promise<V>;
  #resolve!: (value: V) => void;
  #reject!: (error: unknown) => void;
  #cleanup: (() => void)[] = [];

  constructor() {
    this.promise = new Promise<V>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** @internal */
  _onSettle(cleanup: () => void): void {
    this.#cleanup.push(cleanup);
  }

  /** @internal */
  _wake(value: V): void {
    this.woken = true;
    this.#settle();
    this.#resolve(value);
  }

  /** @internal */
  _fail(error: unknown): void {
    this.#settle();
    this.#reject(error);
  }

  #settle(): void {
    for (const cleanup of this.#cleanup.splice(0)) cleanup();
  }
}

export class WaiterQueue<V = void> {
  readonly #items: Waiter<V>[] = [];

  /** Waiters in the list, woken-but-not-resumed ones included. */
  get size(): number {
    return this.#items.length;
  }

  /** Number of waiters not woken yet. */
  get unwoken(): number {
    let n = 0;
    for (const w of this.#items) if (!w.woken) n++;
    return n;
  }

  /** Appends a waiter. It rejects (and leaves the list) if `wait.signal` aborts or `wait.deadline` passes first. */
  add(wait: ParsedWait): Waiter<V> {
    const waiter = new Waiter<V>();
    this.#items.push(waiter);
    const leave = (error: unknown): void => {
      if (waiter.woken) return; // granted already: the primitive deals with it when the waiter resumes
      this.remove(waiter);
      waiter._fail(error);
    };
    const { signal, deadline, timeout, where } = wait;
    if (signal) waiter._onSettle(onAbort(signal, () => leave(signal.reason)));
    if (deadline !== null) {
      waiter._onSettle(callAt(deadline, () => leave(new TimeoutError(`${where} timed out after ${timeout} ms.`))));
    }
    return waiter;
  }

  /** Wakes the first waiter that is not woken yet. Returns false if there is none. */
  wakeFirst(value: V): boolean {
    for (const w of this.#items) {
      if (!w.woken) {
        w._wake(value);
        return true;
      }
    }
    return false;
  }

  /** Wakes the head of the list if it is not woken yet (Python's `_wake_up_first` only looks at the head). */
  wakeHead(value: V): void {
    const head = this.#items[0];
    if (head && !head.woken) head._wake(value);
  }

  /** Wakes every waiter not woken yet; returns how many. */
  wakeAll(value: V): number {
    let n = 0;
    for (const w of this.#items.slice()) {
      if (!w.woken) {
        w._wake(value);
        n++;
      }
    }
    return n;
  }

  remove(waiter: Waiter<V>): void {
    const i = this.#items.indexOf(waiter);
    if (i >= 0) this.#items.splice(i, 1);
  }
}
