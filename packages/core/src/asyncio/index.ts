/**
 * weft's asyncio model: Python's asyncio (tasks, task groups, timeouts, and the single-event-loop
 * primitives) with the same semantics, on any JS runtime. Pure: uses only web-standard globals.
 *
 * Cancellation is expressed with AbortSignals: every task gets one, and every waiting function takes one.
 * A cancelled task observes an AbortError (Python's CancelledError).
 */
export { Task, createTask, type TaskFunction, type TaskOptions } from "./task.js";
export { TaskGroup, type TaskGroupOptions } from "./task-group.js";
export { sleep, type SleepOptions } from "./sleep.js";
export { Timeout, clock, timeout, timeoutAt, waitFor, type TimeoutFunction, type TimeoutOptions } from "./timeouts.js";
export { gather, type GatherOptions, type GatherResults, type GatherSettled } from "./gather.js";
export {
  ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, asCompleted, wait,
  type AsCompletedOptions, type ReturnWhen, type WaitForItemsOptions,
} from "./wait.js";
export { shield } from "./shield.js";
export type { Awaitable, AwaitedValue } from "./awaitables.js";
export { Acquired } from "./acquired.js";
export { Lock } from "./lock.js";
export { Event } from "./event.js";
export { Condition } from "./condition.js";
export { BoundedSemaphore, Semaphore } from "./semaphore.js";
export { Barrier } from "./barrier.js";
export { LifoQueue, PriorityQueue, Queue } from "./queue.js";
export type { WaitOptions } from "./waiters.js";
export { BrokenBarrierError, InvalidStateError, QueueEmpty, QueueFull, QueueShutDown } from "./errors.js";
