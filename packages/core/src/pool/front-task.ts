/**
 * One task of a pool's front, from submission to settlement, whatever carries it (the local
 * scheduler, a queue in Redis). It settles itself — exactly once: every later answer is ignored
 * — and tells the front how it ended; it owns its run-timeout timer and its AbortSignal
 * listener, and lets go of both when it settles. A dispatcher extends it with what it carries.
 */
import { Future, failFuture, fulfilFuture, markFutureRunning } from "../future.js";

/** How a task ended, as stats and events count it. */
export type TaskEnd = "completed" | "failed" | "cancelled";

/** Told of every task's end, once (the front: its ledger, its counts, the pool's events). */
export interface TaskObserver {
  ended(task: FrontTask, end: TaskEnd, error?: unknown): void;
}

/** What every task has, whatever its dispatcher: checked by the pool that builds it. */
export interface FrontTaskInit {
  /** Run timeout (ms), counted from when it starts running; undefined: none. The dispatcher enforces it (see {@link FrontTask.startTimer}). */
  readonly timeoutMs: number | undefined;
  /** The stack of the call that submitted it, joined to a remote error's stack. */
  readonly callerSite: Error | undefined;
  /** The caller's AbortSignal: the front cancels the task when it fires. */
  readonly signal: AbortSignal | undefined;
}

export class FrontTask {
  /** What the caller holds. Settled only through this task's methods. */
  readonly future = new Future<unknown>();
  readonly timeoutMs: number | undefined;
  readonly callerSite: Error | undefined;
  readonly signal: AbortSignal | undefined;
  readonly #observer: TaskObserver;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #onAbort: (() => void) | undefined;

  constructor(init: FrontTaskInit, observer: TaskObserver) {
    this.timeoutMs = init.timeoutMs;
    this.callerSite = init.callerSite;
    this.signal = init.signal;
    this.#observer = observer;
  }

  /** True once fulfilled, failed or cancelled. */
  get settled(): boolean {
    return this.future.done();
  }

  /** Fulfils the task; false (and nothing happens) if it had already settled. */
  fulfil(value: unknown): boolean {
    if (this.settled) return false;
    this.#release();
    if (!fulfilFuture(this.future, value)) return false;
    this.#observer.ended(this, "completed");
    return true;
  }

  /** Fails the task (or cancels it); false (and nothing happens) if it had already settled. */
  fail(error: unknown, end: "failed" | "cancelled" = "failed"): boolean {
    if (this.settled) return false;
    this.#release();
    if (!failFuture(this.future, error, end === "cancelled")) return false;
    this.#observer.ended(this, end, error);
    return true;
  }

  /** The task started running (Python's `set_running_or_notify_cancel`): `future.running()` is true from now. */
  markRunning(): void {
    markFutureRunning(this.future);
  }

  /** Calls `onAbort` when the task's AbortSignal fires (until it settles). The front calls it, once. */
  watchSignal(onAbort: () => void): void {
    if (!this.signal) return;
    this.#onAbort = onAbort;
    this.signal.addEventListener("abort", onAbort, { once: true });
  }

  /** Starts the run timeout, if the task has one and it is not running yet; it stops when the task settles. */
  startTimer(onTimeout: () => void): void {
    if (this.timeoutMs === undefined || this.#timer !== undefined || this.settled) return;
    this.#timer = setTimeout(onTimeout, this.timeoutMs);
  }

  #release(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#onAbort && this.signal) this.signal.removeEventListener("abort", this.#onAbort);
    this.#onAbort = undefined;
  }
}
