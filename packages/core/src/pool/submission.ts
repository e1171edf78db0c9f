/**
 * Checks one submission and builds its task: the target, the argument list (encoded for the
 * worker kind), the options (signal, run timeout, transfer list), and the caller's stack.
 */
import type { TransferableObject } from "../web-types.js";
import { InvalidArgumentError } from "../errors.js";
import { checkArgumentList, checkDuration, checkKnownKeys, checkTaskSignal } from "../options.js";
import type { WorkerKind } from "../port.js";
import type { RunRequest } from "../protocol.js";
import { type AnyFunction, resolveTarget } from "../task-ref.js";
import { checkTransferList, prepareArgs, reviveValue } from "../values.js";
import type { TaskInit } from "./task.js";
import type { PoolErrorDetail } from "./worker-slot.js";

/** Options of one task. */
export interface TaskOptions {
  /** Aborting it cancels the task: a queued task never runs; a running one sees its own signal fire. */
  readonly signal?: AbortSignal;
  /** Run timeout in ms, counted from when the task starts running. Overrides the pool's `taskTimeout`. */
  readonly timeout?: number;
  /** ArrayBuffers to move to a thread worker (detached here). Copied to a process worker. */
  readonly transfer?: readonly TransferableObject[];
  /**
   * Called with the values the task reports with `currentTask().progress(value)`, in the order
   * sent, always before the task's future settles (and never after). Paced (see
   * TaskContext.progress): the first 100 of a task all arrive, then at most one per 16 ms (the
   * latest), and the task's last value always arrives. A callback that throws does
   * not affect the task: the error is reported as the pool's "error" event
   * (`detail: { source: "onProgress", id, error }`). Progress is not a Python feature.
   */
  onProgress?(value: unknown): void;
}

const TASK_OPTION_KEYS = ["signal", "timeout", "transfer", "onProgress"] as const;
/** In a burst (more tasks queued than this), tasks share the stack captured by the burst's first call. */
const BURST_QUEUE_LENGTH = 64;

/** The pool's side of a submission: what it knows that a task needs. */
export interface SubmissionContext {
  readonly kind: WorkerKind;
  readonly module: string | undefined;
  readonly taskTimeout: number | undefined;
  readonly captureCallerStack: boolean;
  readonly queued: number;
  /** Where a throwing `onProgress` callback is reported (the pool's "error" event). */
  readonly reportError: (detail: PoolErrorDetail) => void;
}

export class Submissions {
  #nextId = 1;
  #burstSite: Error | undefined;
  #burstResetScheduled = false;

  /** Checks a submission and builds its task; throws a named error on bad input. */
  build(context: SubmissionContext, task: unknown, args: unknown, mode: RunRequest["mode"], options: TaskOptions | undefined): TaskInit {
    checkKnownKeys(options, TASK_OPTION_KEYS, "Task options");
    const target = resolveTarget(task as string | AnyFunction, context.module);
    checkArgumentList(args);
    const timeoutMs = checkDuration(options?.timeout, "Task timeout") ?? context.taskTimeout;
    const signal = checkTaskSignal(options?.signal);
    const onProgress = options?.onProgress;
    if (onProgress !== undefined && typeof onProgress !== "function") {
      throw new InvalidArgumentError(`Task option onProgress must be a function (called with each progress value); got ${onProgress === null ? "null" : typeof onProgress}.`);
    }
    const prepared = prepareArgs(args, context.kind);
    const transfer = checkTransferList(options?.transfer);
    const timed = timeoutMs !== undefined && timeoutMs !== Infinity;
    const id = this.#nextId++;
    return {
      request:
        timed || onProgress
          ? { id, target, args: prepared.args, encoded: prepared.encoded, mode, ...(timed ? { timed: true } : {}), ...(onProgress ? { progress: true } : {}) }
          : { id, target, args: prepared.args, encoded: prepared.encoded, mode },
      // A process shares nothing: what the caller asks to transfer is copied instead.
      transfer: context.kind === "thread" ? transfer : undefined,
      timeoutMs: timed ? timeoutMs : undefined,
      callerSite: context.captureCallerStack ? this.#callerSite(context.queued) : undefined,
      signal,
      progress: onProgress ? guardProgress(id, onProgress, context.reportError) : undefined,
    };
  }

  // Capturing a stack costs as much as a tiny task: a burst of submissions shares one.
  #callerSite(queued: number): Error {
    if (this.#burstSite === undefined || queued < BURST_QUEUE_LENGTH) this.#burstSite = new Error("caller");
    if (!this.#burstResetScheduled) {
      this.#burstResetScheduled = true;
      queueMicrotask(() => {
        this.#burstResetScheduled = false;
        this.#burstSite = undefined;
      });
    }
    return this.#burstSite;
  }
}

/** The caller's progress callback, behind a guard: a value that cannot be decoded, or a callback that throws, is reported, never thrown into the pool. */
function guardProgress(id: number, onProgress: (value: unknown) => void, report: (detail: PoolErrorDetail) => void): (value: unknown, encoded: boolean) => void {
  return (value, encoded) => {
    try {
      onProgress(encoded ? reviveValue(value) : value);
    } catch (error) {
      report({ source: "onProgress", id, error });
    }
  };
}
