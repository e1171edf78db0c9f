/** The proxies of a manager's Lock and RLock. */
import { InvalidArgumentError, TimeoutError } from "../../errors.js";
import { describe } from "../../options.js";
import { BaseProxy } from "../proxy.js";
import { parseWait, type WaitOptions } from "../checks.js";
import { Holding } from "./holding.js";

/** Options of a manager lock's `acquire` and `hold`; a number is the timeout alone. */
export interface AcquireOptions extends WaitOptions {
  /** false: one attempt that never waits (Python's `acquire(blocking=False)`). Default true. */
  readonly blocking?: boolean;
}

/**
 * Mirrors Python's `AcquirerProxy` over a `threading.Lock` (what `SyncManager.Lock()` returns): a
 * lock that lives with the manager, shared by every thread and process it is passed to — where
 * weft's `threading.Lock` (shared memory) reaches threads only. Not owned: any side may release
 * it. Waiters get it in the order they asked.
 *
 * `await lock.acquire()` resolves true once held, false if the timeout passed first (Python's
 * semantics); `await using _held = await lock.hold()` is Python's `with lock:`. A lock held by a
 * worker that ended stays held, as in Python; any side may release it.
 */
export class LockProxy extends BaseProxy {
  /** Python's `lock.acquire(blocking=True, timeout=None)`; a number is the timeout in ms. */
  acquire(options?: number | AcquireOptions): Promise<boolean> {
    try {
      const { wait, blocking } = parseAcquire(options, "manager Lock.acquire()");
      return this.invoke("acquire", [blocking, wait.timeout], wait.signal) as Promise<boolean>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Python's `lock.release()`; rejects with NotOwnerError if it is not locked (Python: RuntimeError). */
  release(): Promise<void> {
    return this.invoke("release", []) as Promise<void>;
  }

  /** Python's `lock.locked()`: a snapshot. */
  locked(): Promise<boolean> {
    return this.invoke("locked", []) as Promise<boolean>;
  }

  /**
   * Acquires, and resolves a handle that releases at the end of an `await using` block (Python's
   * `with lock:`). Rejects with TimeoutError if the timeout passes first.
   */
  async hold(options?: number | AcquireOptions): Promise<Holding> {
    if (!(await this.acquire(options))) throw new TimeoutError("manager Lock.hold(): the lock was not acquired within the timeout.");
    return new Holding(() => this.release());
  }
}

/**
 * Mirrors Python's `AcquirerProxy` over a `threading.RLock` (what `SyncManager.RLock()` returns):
 * the side that holds it may acquire it again, and must release it as many times. The owner is a
 * side — one worker, or the manager's own side — not a task: tasks that run in one worker share
 * its ownership, as the asyncio tasks of one Python thread share an RLock.
 */
export class RLockProxy extends LockProxy {}

function parseAcquire(options: number | AcquireOptions | undefined, where: string) {
  const bag = typeof options === "number" ? { timeout: options } : options;
  const wait = parseWait(bag, ["timeout", "signal", "blocking"], where);
  const blocking = bag?.blocking ?? true;
  if (typeof blocking !== "boolean") throw new InvalidArgumentError(`${where}: blocking must be a boolean, got ${describe(blocking)}.`);
  return { wait, blocking };
}
