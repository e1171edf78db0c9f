/**
 * Python's `threading` primitives (Lock, RLock, Semaphore, BoundedSemaphore, Event, Condition,
 * Barrier) and `multiprocessing`'s shared Value and Array (here SharedArray), over
 * SharedArrayBuffer + Atomics. Pass them to threads as ordinary arguments: each side operates on
 * the same memory.
 *
 * Blocking: the `*Sync` methods block with Atomics.wait and are only allowed inside a weft
 * worker (`globalThis[Symbol.for("weft.inWorker")] === true`); everywhere else they throw
 * BlockingNotAllowedError (except with a timeout of 0, which never blocks). The async methods
 * never block a thread: Atomics.waitAsync, or back-off polling where it is missing.
 * Timeouts are milliseconds; NaN or negative → InvalidArgumentError. A pending timed wait keeps
 * the host alive until it returns, as a timer does.
 *
 * Dead parties: a thread terminated (or crashed) while holding or waiting on a primitive cannot
 * wedge the others' timed waits — each returns when its timeout elapses. A Lock or RLock the dead
 * thread held stays held, as in Python: `Lock.holder` / `RLock.owner` name that thread (compare
 * with the id it reported from `currentThreadId()`, Python's `get_ident()`). A Barrier is broken
 * by the first timed wait that cannot complete, and `reset()` restores it.
 */
export { Lock } from "./lock.js";
export { RLock } from "./rlock.js";
export { Semaphore, BoundedSemaphore } from "./semaphore.js";
export { Event } from "./event.js";
export { Condition } from "./condition.js";
export { Barrier, type BarrierOptions } from "./barrier.js";
export { Value, type ValueKind } from "./value.js";
export { SharedArray } from "./shared-array.js";
export type { ElementKind, ElementOf, TypedArrayOf } from "./elements.js";
export { Held } from "./dispose.js";
export { BlockingNotAllowedError, BrokenBarrierError, NotOwnerError, OverReleaseError } from "./errors.js";
export { mayBlock } from "./blocking.js";
export { currentThreadId } from "./thread-id.js";
