/**
 * The running task's context: what a task function sees as `this`, and what
 * {@link currentTask} returns while it runs.
 */
import { TaskReferenceError } from "../errors.js";

/** What a task function sees as `this`, and what {@link currentTask} returns while it runs. */
export interface TaskContext {
  /** Aborted when the caller aborts this task or its run timeout fires. */
  readonly signal: AbortSignal;
  readonly id: number;
}

const CURRENT_TASK = Symbol.for("weft.currentTask");
const holder = globalThis as Record<symbol, TaskContext | undefined>;

/**
 * The context of the task running in this worker: its AbortSignal lets it clean up when the
 * caller aborts it. Call it synchronously at the start of the task (a worker runs one task at a
 * time, so it stays valid until the task settles). Also available as `this` in a `function` task.
 */
export function currentTask(): TaskContext {
  const context = holder[CURRENT_TASK];
  if (!context) throw new TaskReferenceError("currentTask() was called outside a weft task.");
  return context;
}

/** @internal Sets (or clears, with undefined) the context {@link currentTask} returns. */
export function setCurrentTask(context: TaskContext | undefined): void {
  holder[CURRENT_TASK] = context;
}
