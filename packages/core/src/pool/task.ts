/**
 * One task of the local pool: a {@link FrontTask} with what a worker needs (the run request and
 * its transfer list), its place in the wait-time histogram, and its progress callback.
 */
import type { TransferableObject } from "../web-types.js";
import { decodeOutcome } from "../outcome.js";
import type { RunRequest, TaskOutcome } from "../protocol.js";
import { FrontTask, type FrontTaskInit, type TaskObserver } from "./front-task.js";

export type { TaskEnd, TaskObserver } from "./front-task.js";

/** What a task is made of: built and checked by submission.ts. */
export interface TaskInit extends FrontTaskInit {
  readonly request: RunRequest;
  readonly transfer: readonly TransferableObject[] | undefined;
  /** Delivers a progress value from the worker (still encoded when `encoded`) to the caller's `onProgress`. Never throws. */
  readonly progress: ((value: unknown, encoded: boolean) => void) | undefined;
}

export class PoolTask extends FrontTask {
  readonly request: RunRequest;
  readonly transfer: readonly TransferableObject[] | undefined;
  /**
   * The caller already has its answer (abort, timeout) while a worker still holds the task: the
   * worker's late outcome is dropped, and the worker is replaced if it does not let go in time.
   */
  abandoned = false;
  /** When it was queued (performance.now()), for the pool's wait-time histogram. */
  readonly queuedAt = performance.now();
  readonly #progress: ((value: unknown, encoded: boolean) => void) | undefined;

  constructor(init: TaskInit, observer: TaskObserver) {
    super(init, observer);
    this.request = init.request;
    this.transfer = init.transfer;
    this.#progress = init.progress;
  }

  get id(): number {
    return this.request.id;
  }

  /** Settles from the worker's outcome, decoded inside this task's own guard. */
  settle(outcome: TaskOutcome): void {
    if (this.settled) return;
    // Formatting a stack costs more than a tiny task: only a failure reads it.
    const decoded = decodeOutcome(outcome, outcome.ok ? undefined : this.callerSite?.stack);
    if (decoded.ok) this.fulfil(decoded.value);
    else this.fail(decoded.error, "failed");
  }

  /** A progress value from the worker: delivered while the caller still waits for this task. */
  progress(value: unknown, encoded: boolean): void {
    if (!this.settled && !this.abandoned) this.#progress?.(value, encoded);
  }
}
