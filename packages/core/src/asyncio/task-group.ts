/**
 * TaskGroup: structured concurrency, after Python 3.11's `asyncio.TaskGroup`.
 */
import { AbortError, InvalidArgumentError } from "../errors.js";
import { InvalidStateError } from "./errors.js";
import { asyncDisposeSymbol, checkOptions, checkSignal, describe, isCancellation, onAbort, toAbortError } from "./internal.js";
import { Task, type TaskFunction } from "./task.js";

/** Options of {@link TaskGroup}. */
export interface TaskGroupOptions {
  /** A parent signal: aborting it cancels the group (every child), and `wait()` then throws an AbortError. */
  signal?: AbortSignal;
  /** A name for messages (default `TaskGroup-N`). */
  name?: string;
}

let groupCounter = 0;

function groupMessage(count: number): string {
  return `unhandled errors in a TaskGroup (${count} sub-exception${count === 1 ? "" : "s"})`;
}

/**
 * A group of tasks that live and die together. Mirrors Python's `asyncio.TaskGroup`:
 *
 * - `createTask(fn)` starts a child; `await group.wait()` (or leaving an `await using group = new TaskGroup()`
 *   block, or `TaskGroup.run(body)`) waits for every child, including children added while waiting.
 * - The first child that fails (with anything but an AbortError) makes the group abort: every other child is
 *   cancelled, the group waits for them to finish cancelling (their `finally` blocks run), then throws an
 *   `AggregateError` holding every failure, cancellations excluded — Python's ExceptionGroup, with its
 *   message "unhandled errors in a TaskGroup (N sub-exceptions)".
 * - Python also cancels the task running the `async with` body. JS cannot interrupt a running function, so
 *   the group has its own {@link TaskGroup.signal}, aborted when the group aborts: pass it to what the body
 *   awaits. With `TaskGroup.run`, a body that then fails with an AbortError does not add to the errors.
 * - Aborting the parent `signal` cancels the group: children are cancelled and awaited, then `wait()`
 *   throws an AbortError — unless some child failed, in which case the AggregateError wins (as in Python).
 * - Adding a task to a group that is finished or shutting down throws an {@link InvalidStateError}
 *   (Python's RuntimeError "TaskGroup … is finished" / "is shutting down").
 *
 * Differences: with `await using`, an error thrown by the block itself cannot be seen by the group (JS
 * gives disposers no access to it), so it does not cancel the children; the group waits for them and JS
 * reports both errors as a SuppressedError. Use `TaskGroup.run(body)` to get Python's behaviour there
 * (the body's error cancels the children and joins the AggregateError).
 */
export class TaskGroup {
  /** The group's name, for messages. */
  readonly name: string;
  readonly #controller = new AbortController();
  readonly #tasks = new Set<Task<unknown>>();
  readonly #errors: unknown[] = [];
  #exiting = false;
  #aborting = false;
  #abortedByError = false;
  #parentReason: AbortError | undefined;
  #waiting: Promise<void> | undefined;
  #allDone: (() => void) | undefined;
  readonly #unlinkParent: () => void;

  constructor(options?: TaskGroupOptions) {
    checkOptions(options, ["signal", "name"], "TaskGroup");
    const name = options?.name;
    if (name !== undefined && typeof name !== "string") {
      throw new InvalidArgumentError(`TaskGroup: name must be a string, got ${describe(name)}.`);
    }
    this.name = name ?? `TaskGroup-${++groupCounter}`;
    const parent = checkSignal(options?.signal, "TaskGroup");
    const onParentAbort = (): void => {
      this.#parentReason = toAbortError(parent?.reason, `${this.name} was cancelled.`);
      this.#abort(this.#parentReason);
    };
    if (parent?.aborted) {
      this.#unlinkParent = () => {};
      onParentAbort();
    } else {
      this.#unlinkParent = onAbort(parent, onParentAbort);
    }
  }

  /**
   * Aborted (with an AbortError) when the group aborts: a child failed, the parent signal aborted, or the
   * `run` body failed. Stands in for Python cancelling the task that runs the `async with` body.
   */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Number of children that have not finished yet. */
  get size(): number {
    return this.#tasks.size;
  }

  /**
   * Starts `fn` as a child task (its signal is aborted when the group aborts). Mirrors Python's
   * `TaskGroup.create_task(coro, name=...)`. Throws an {@link InvalidStateError} if the group is finished
   * or shutting down.
   */
  createTask<T>(fn: TaskFunction<T>, options?: { name?: string }): Task<T> {
    checkOptions(options, ["name"], "TaskGroup.createTask");
    if (this.#exiting && this.#tasks.size === 0) {
      throw new InvalidStateError(`TaskGroup ${this.name} is finished: it already waited for all its tasks. Create tasks before its wait() completes, or use a new TaskGroup.`);
    }
    if (this.#aborting) {
      throw new InvalidStateError(`TaskGroup ${this.name} is shutting down (a task failed or it was cancelled); it accepts no new tasks.`);
    }
    // Children are cancelled one by one on abort (as Python's _abort does), not through a shared signal
    // listener per child: that would trip Node's MaxListenersExceededWarning in large groups.
    const task = new Task(fn, { name: options?.name });
    this.#tasks.add(task as Task<unknown>);
    task.addDoneCallback((t) => this.#onTaskDone(t as Task<unknown>));
    return task;
  }

  #onTaskDone(task: Task<unknown>): void {
    this.#tasks.delete(task);
    if (this.#tasks.size === 0) this.#allDone?.();
    if (task.cancelled()) return;
    const error = task.exception();
    if (error === undefined) return;
    this.#errors.push(error);
    if (!this.#aborting) {
      this.#abortedByError = true;
      this.#abort(new AbortError(`${this.name} is cancelling its tasks because task ${task.name} failed.`));
    }
  }

  #abort(reason: AbortError): void {
    if (this.#aborting) return;
    this.#aborting = true;
    this.#controller.abort(reason);
    for (const task of this.#tasks) task.cancel(reason);
  }

  /**
   * Waits for every child (also those added while waiting). Then throws an AggregateError of every failure
   * if any child failed, else an AbortError if the group was cancelled through its parent signal.
   * Calling it again returns the same promise. Mirrors leaving Python's `async with TaskGroup()` block.
   */
  wait(): Promise<void> {
    this.#waiting ??= this.#exit(undefined);
    return this.#waiting;
  }

  /** Same as `wait()`: `await using group = new TaskGroup()` waits for the children when the block ends. */
  [asyncDisposeSymbol](): Promise<void> {
    return this.wait();
  }

  async #exit(body: { error: unknown } | undefined): Promise<void> {
    this.#exiting = true;
    let propagate: AbortError | undefined;
    if (body) {
      if (isCancellation(body.error)) {
        // The body was cancelled: by the group itself (a child failed), by the parent signal, or by
        // something else, which Python would treat as the parent task being cancelled.
        if (!this.#abortedByError) propagate = toAbortError(body.error, `${this.name} was cancelled.`);
      }
      this.#abort(new AbortError(`${this.name} is cancelling its tasks because its body failed.`));
    }
    while (this.#tasks.size > 0) {
      await new Promise<void>((resolve) => {
        this.#allDone = resolve;
      });
      this.#allDone = undefined;
    }
    this.#unlinkParent();
    if (this.#parentReason) propagate = this.#parentReason;
    if (body && !isCancellation(body.error)) this.#errors.push(body.error);
    if (this.#errors.length > 0) {
      throw new AggregateError(this.#errors.slice(), groupMessage(this.#errors.length));
    }
    if (propagate) throw propagate;
  }

  /**
   * Runs `body(group)` inside a new group and waits for every child; resolves with the body's value.
   * This is the closest form of Python's `async with TaskGroup() as group:` — an error thrown by the body
   * cancels the children and is added (last) to the AggregateError, as in Python.
   *
   * @example
   * const results = await TaskGroup.run(async (group) => {
   *   const a = group.createTask((signal) => fetchJson("/a", signal));
   *   const b = group.createTask((signal) => fetchJson("/b", signal));
   *   return [a, b];
   * });
   */
  static async run<R>(body: (group: TaskGroup) => PromiseLike<R> | R, options?: TaskGroupOptions): Promise<R> {
    if (typeof body !== "function") {
      throw new InvalidArgumentError(`TaskGroup.run expects a function (group) => Promise, got ${describe(body)}.`);
    }
    const group = new TaskGroup(options);
    let value: R;
    try {
      value = await body(group);
    } catch (error) {
      group.#waiting ??= group.#exit({ error });
      await group.#waiting;
      // Only reached if the body had already awaited group.wait() itself and that succeeded.
      throw error;
    }
    await group.wait();
    return value;
  }
}
