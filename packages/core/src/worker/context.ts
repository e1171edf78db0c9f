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
  /**
   * Sends `value` to the caller's `onProgress` (a task option of `pool.submit`/`apply`) while the
   * task runs. Values arrive in the order sent and always before the task's result. They are
   * paced, so that a flood costs neither side memory: the first 100 values of a task all go, then
   * at most one per 16 ms — the latest, as a progress bar needs (the ones in between are dropped);
   * the worker holds at most one unsent value per task, and the last value always arrives. The
   * pace holds for a task that never yields too (each call past the burst reads the clock): one
   * value per 16 ms still leaves, not only the last. Values that must all arrive belong in a
   * `multiprocessing.Queue`, or in the result.
   * The value is copied like a result (structured clone, and weft's shared types); one that
   * cannot be carried throws a DataCloneError here and fails nothing else. A value held back is
   * copied when it leaves, so an object the task changes meanwhile arrives changed. When the
   * caller does not listen, or the task has already settled, the value is dropped. Compare
   * workerpool's `workerEmit` and BullMQ's `job.updateProgress`; Python's pools have no equivalent.
   */
  progress(value: unknown): void;
}

const CURRENT_TASK = Symbol.for("weft.currentTask");
const holder = globalThis as Record<symbol, TaskContext | undefined>;

/**
 * The context of the task running in this worker: its AbortSignal lets it clean up when the
 * caller aborts it. Call it synchronously at the start of the task (a worker runs one task at a
 * time, so it stays valid until the task settles). Also available as `this` in a `function` task.
 *
 * @example
 * ```ts
 * // tasks.ts
 * import { currentTask } from "weftjs";
 * export async function resize(files: string[]) {
 *   const task = currentTask();
 *   for (const [i, file] of files.entries()) {
 *     await convert(file);
 *     task.progress({ done: i + 1, of: files.length });
 *   }
 * }
 * // caller
 * await pool.submit("resize", [files], { onProgress: (p) => console.log(p) });
 * ```
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
