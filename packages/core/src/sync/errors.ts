/**
 * Errors raised by weft's threading primitives. Python raises RuntimeError, ValueError and
 * threading.BrokenBarrierError in these situations; each gets a named class here.
 */
import { named, WeftError } from "../errors.js";

/**
 * A synchronous (blocking) method was called where weft never blocks: a main thread or a browser
 * page. Use the async form (`await lock.acquire()` instead of `lock.acquireSync()`); the `*Sync`
 * methods are for code running inside a weft worker thread.
 */
export class BlockingNotAllowedError extends WeftError {
  static {
    named(this, "BlockingNotAllowedError");
  }
}

/**
 * A lock was released (or a Condition waited on / notified) by a thread that does not hold it.
 * Python raises RuntimeError ("cannot release un-acquired lock", "release unlocked lock").
 */
export class NotOwnerError extends WeftError {
  static {
    named(this, "NotOwnerError");
  }
}

/**
 * Mirrors Python's `threading.BrokenBarrierError`: the Barrier was aborted, reset while threads
 * waited, or a wait on it timed out.
 */
export class BrokenBarrierError extends WeftError {
  static {
    named(this, "BrokenBarrierError", "threading.BrokenBarrierError");
  }
}

/** A BoundedSemaphore was released more times than it was acquired (Python raises ValueError). */
export class OverReleaseError extends WeftError {
  static {
    named(this, "OverReleaseError");
  }
}
