/**
 * The asyncio model's own error classes. Each mirrors one of Python's asyncio exceptions and keeps
 * its Python name, so `asyncio.QueueEmpty` reads like `asyncio.QueueEmpty` in Python.
 */
import { named, WeftError } from "../errors.js";

/**
 * An operation was called in a state that does not allow it: releasing a Lock nobody holds, releasing a
 * BoundedSemaphore too often, calling `taskDone()` too often, reading `result()` of an unfinished Task,
 * adding a task to a TaskGroup that is finished or shutting down.
 *
 * Mirrors Python's `asyncio.InvalidStateError`, and stands in for the `RuntimeError`/`ValueError` Python
 * raises for those misuses (one class, so one `catch` handles every "wrong state" mistake).
 */
export { InvalidStateError } from "../errors.js";

/** `getNowait()` on an empty queue. Mirrors Python's `asyncio.QueueEmpty`. */
export class QueueEmpty extends WeftError {
  static {
    named(this, "QueueEmpty");
  }
}

/** `putNowait()` on a queue that holds `maxsize` items. Mirrors Python's `asyncio.QueueFull`. */
export class QueueFull extends WeftError {
  static {
    named(this, "QueueFull");
  }
}

/**
 * A put on a queue that was shut down, or a get on a shut-down queue that is empty.
 * Mirrors Python 3.13's `asyncio.QueueShutDown`.
 */
export class QueueShutDown extends WeftError {
  static {
    named(this, "QueueShutDown");
  }
}

/** The Barrier is broken (aborted), or was reset while this party waited. Mirrors Python's `asyncio.BrokenBarrierError`. */
export class BrokenBarrierError extends WeftError {
  static {
    named(this, "BrokenBarrierError", "asyncio.BrokenBarrierError");
  }
}
