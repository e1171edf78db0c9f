/**
 * One task of a pool from submission to settlement. It settles itself — exactly once — and
 * tells the pool's observer how it ended; it owns its run-timeout timer and its AbortSignal
 * listener, and lets go of both when it settles.
 */
import type { TransferableObject } from "../web-types.js";
import { Future } from "../future.js";
import { fulfilFuture, failFuture } from "../future.js";
import { decodeOutcome } from "../outcome.js";
import type { RunRequest, TaskOutcome } from "../protocol.js";

/** How a task ended, as stats and events count it. */
export type TaskEnd = "completed" | "failed" | "cancelled";

/** Told of every task's end, once (the pool's stats and events). */
export interface TaskObserver {
  ended(task: PoolTask, end: TaskEnd, error?: unknown): void;
}

/** What a task is made of: built and checked by submission.ts. */
export interface TaskInit {
  readonly request: RunRequest;
  readonly transfer: readonly TransferableObject[] | undefined;
  /** Run timeout (ms), counted from when it starts running. */
  readonly timeoutMs: number | undefined;
  /** The stack of the call that submitted it, joined to a worker's error stack. */
  readonly callerSite: Error | undefined;
  readonly signal: AbortSignal | undefined;
  /** Delivers a progress value from the worker (still encoded when `encoded`) to the caller's `onProgress`. Never throws. */
  readonly progress: ((value: unknown, encoded: boolean) => void) | undefined;
}

export class PoolTask {
  readonly future = new Future<unknown>();
  readonly request: RunRequest;
  readonly transfer: readonly TransferableObject[] | undefined;
  readonly timeoutMs: number | undefined;
  readonly callerSite: Error | undefined;
  readonly signal: AbortSignal | undefined;
  /**
   * The caller already has its answer (abort, timeout) while a worker still holds the task: the
   * worker's late outcome is dropped, and the worker is replaced if it does not let go in time.
   */
  abandoned = false;
  /** When it was queued (performance.now()), for the pool's wait-time histogram. */
  readonly queuedAt = performance.now();
  readonly #progress: ((value: unknown, encoded: boolean) => void) | undefined;
  readonly #observer: TaskObserver;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #onAbort: (() => void) | undefined;

  constructor(init: TaskInit, observer: TaskObserver) {
    this.request = init.request;
    this.transfer = init.transfer;
    this.timeoutMs = init.timeoutMs;
    this.callerSite = init.callerSite;
    this.signal = init.signal;
    this.#progress = init.progress;
    this.#observer = observer;
  }

  get id(): number {
    return this.request.id;
  }

  get settled(): boolean {
    return this.future.done();
  }

  /** Settles from the worker's outcome, decoded inside this task's own guard. */
  settle(outcome: TaskOutcome): void {
    if (this.settled) return;
    // Formatting a stack costs more than a tiny task: only a failure reads it.
    const decoded = decodeOutcome(outcome, outcome.ok ? undefined : this.callerSite?.stack);
    if (decoded.ok) {
      this.#release();
      if (fulfilFuture(this.future, decoded.value)) this.#observer.ended(this, "completed");
    } else {
      this.fail(decoded.error, "failed");
    }
  }

  /** A progress value from the worker: delivered while the caller still waits for this task. */
  progress(value: unknown, encoded: boolean): void {
    if (!this.settled && !this.abandoned) this.#progress?.(value, encoded);
  }

  /** Fails the task (or cancels it); false if it had already settled. */
  fail(error: unknown, end: "failed" | "cancelled"): boolean {
    if (this.settled) return false;
    this.#release();
    if (!failFuture(this.future, error, end === "cancelled")) return false;
    this.#observer.ended(this, end, error);
    return true;
  }

  /** Calls `onAbort` when the task's AbortSignal fires (until it settles). */
  watchSignal(onAbort: () => void): void {
    if (!this.signal) return;
    this.#onAbort = onAbort;
    this.signal.addEventListener("abort", onAbort, { once: true });
  }

  /** Starts the run timeout, if the task has one. */
  startTimer(onTimeout: () => void): void {
    if (this.timeoutMs === undefined || this.#timer !== undefined) return;
    this.#timer = setTimeout(onTimeout, this.timeoutMs);
  }

  #release(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#onAbort && this.signal) this.signal.removeEventListener("abort", this.#onAbort);
    this.#onAbort = undefined;
  }
}
