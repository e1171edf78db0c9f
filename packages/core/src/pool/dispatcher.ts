/**
 * The dispatcher port: what a pool's front ({@link TaskFront}) needs from whatever runs its
 * tasks. The local Pool's scheduler (worker threads and processes) is one dispatcher;
 * `@weft/cluster`'s BullMQ queue is another. The front owns everything a caller sees — option
 * checks, futures, AbortSignals, the ledger of pending tasks, close/terminate and the counts;
 * a dispatcher only carries tasks to where they run, answers for them, and says how many wait
 * to start (`queued`: what the front's `maxQueue` limits).
 *
 * ## The contract, call by call
 *
 * The front calls a dispatcher in this order: any number of `dispatch` and `cancel` calls; then
 * `close`, once (no `dispatch` after it; `cancel` still, for tasks it holds); then `terminate`,
 * at most once, if the pool is terminated; and `shutdown` whenever the pool holds no pending
 * task after `close` — once it drained (`shutdown(false)`) and at `terminate` (`shutdown(true)`),
 * so possibly twice, in either order. The one re-entrant call is `settled`: it comes from inside
 * whatever settled the task, which may be the dispatcher's own `dispatch`, `cancel` or
 * `terminate`.
 *
 * **Answering.** A dispatcher answers for a task through the task itself
 * ({@link FrontTask.fulfil}, {@link FrontTask.fail}, {@link FrontTask.markRunning}), at any time,
 * from any callback. The first answer settles the task; every later one — a second outcome, an
 * outcome after a cancellation, after a timeout or after `terminate` — returns false and changes
 * nothing, so a dispatcher need not guard against its own races (a job run twice, a result that
 * crosses a cancellation). A dispatcher that never answers for a task leaves it pending: until
 * its caller cancels it (future.cancel(), its AbortSignal) or the pool is terminated. `close()`
 * waits for it, as Python's `shutdown(wait=True)` waits for a running call; so a dispatcher
 * whose transport may lose a task must notice and fail it (as `@weft/cluster` does with
 * `JobLostError`).
 *
 * **Throwing.** A `dispatch` that throws fails that task with the thrown error (a submission is
 * never lost in a throw); a `cancel` or `terminate` that throws is ignored, and the front settles
 * the tasks concerned itself, as it does after they return; a throw from `settled` or `close` is
 * ignored too. A `ready` or `shutdown` that throws or rejects rejects the `ready()`, `close()` or
 * `terminate()` that called it.
 *
 * **Timeouts.** A task's run timeout (`timeoutMs`) counts from when it starts running, which
 * only the dispatcher knows: it enforces it, with {@link FrontTask.startTimer} where the task
 * runs in this process, or where it runs (a cluster node). Either way the task fails with
 * TimeoutError.
 */
import type { FrontTask, TaskEnd } from "./front-task.js";

export interface TaskDispatcher<T extends FrontTask = FrontTask> {
  /**
   * How many tasks the dispatcher runs at once, as callers should plan: `map` cuts about four
   * chunks per unit of it (Python's rule) and `imap` keeps twice as many in flight. A positive
   * integer; it limits nothing by itself.
   */
  readonly capacity: number;

  /**
   * How many of the tasks it holds wait to start, as far as it knows: what the pool's `maxQueue`
   * limits, `needsDrain` watches and `stats.queued` shows. The local pool's: tasks not yet given
   * to a worker; a cluster's: jobs not yet reported started by a node. Read after every
   * `dispatch` and every settled task, and whenever the dispatcher calls the `watchQueue` callback.
   */
  readonly queued: number;

  /**
   * The front calls it once, from its constructor, with a callback the dispatcher calls after
   * `queued` changed by anything but `dispatch` or a task settling (a task went to a worker, a
   * node reported it started, a dead worker's unstarted tasks came back): it wakes `ready()`
   * callers and fires the pool's "drain". Calling it when nothing changed is harmless.
   */
  watchQueue(onChange: () => void): void;

  /**
   * Takes a new task, unsettled, whose submission the front and the pool have checked. Must
   * not block; it answers later (see the contract above). Throwing fails the task with the
   * thrown error — use it for a task the transport refuses outright, not for a full queue (the
   * front refuses those, with QueueFullError, before they reach the dispatcher).
   */
  dispatch(task: T): void;

  /**
   * The caller gave up on `task` (its AbortSignal fired, or `future.cancel()`), with `reason`
   * the error it should reject with. The dispatcher withdraws the work: a task not started never
   * runs; a running one is told to stop. It may settle the task itself (as cancelled, with
   * `reason`); if it does not, the front does as soon as `cancel` returns or throws. Never called
   * for a settled task.
   */
  cancel(task: T, reason: Error): void;

  /** Optional: `task` has settled, by whatever path (its outcome, a cancellation, terminate); forget it. Called once per task, after its future settled. */
  settled?(task: T, end: TaskEnd): void;

  /**
   * The pool's `ready()`, before the front waits for room under maxQueue: resolves when the
   * dispatcher can take a task now (a connection is up; at once for a dispatcher that needs
   * nothing); rejects — with PoolClosedError once `close` was called, or with the
   * reason the dispatcher cannot work — when it never will.
   */
  ready(): Promise<void>;

  /** No more tasks will come (`close()` or `terminate()` was called). The tasks it holds go on. */
  close(): void;

  /**
   * The pool is terminated: stop every task now, queued or running. The dispatcher may fail the
   * tasks it holds (cancelled, with `error`); the front fails, with `error`, every task still
   * unsettled once it returns, and ignores their later outcomes. Called once, after `close`.
   */
  terminate(error: Error): void;

  /**
   * Lets go of everything (workers, connections, timers), so that the process can exit. Called
   * when the pool holds no pending task — by `close()` once every task settled, and by
   * `terminate()` — so possibly twice, in either order: the second call must be harmless.
   * `terminated` says which. Must resolve within a bound the dispatcher documents, whatever its
   * transport does; a throw or a rejection rejects the `close()`/`terminate()` that called it.
   */
  shutdown(terminated: boolean): Promise<void>;
}
