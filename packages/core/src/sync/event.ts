/** threading.Event over shared memory. */
import { registerSharedType, SHARED_HANDLE, type SharedDescriptor, type SharedHandle } from "../shared-handle.js";
import { assertMayBlock } from "./blocking.js";
import { adopt, allocateShared, checkMemoryState, type MemoryState } from "./shared-memory.js";
import { toDeadline } from "./timeout.js";
import { runAsync, runSync, type Waiting } from "./wait.js";

const TYPE = "weft.threading.Event";
const BYTES = 4;

function* untilSet(cells: Int32Array, deadline: number): Waiting<boolean> {
  while (Atomics.load(cells, 0) === 0) {
    const outcome = yield { cells, index: 0, expected: 0, deadline };
    if (outcome === "timed-out") return Atomics.load(cells, 0) !== 0;
  }
  return true;
}

/**
 * Mirrors Python's `threading.Event`: a flag that `set()` raises, waking every waiter, and
 * `clear()` lowers. This is threading's Event (shared between threads through
 * SharedArrayBuffer); for an event on one event loop use asyncio.Event.
 *
 * `wait` returns the flag when it returns: `true`, or `false` if the timeout (milliseconds)
 * elapsed first (Python semantics). `waitSync` blocks and is only allowed inside a weft worker.
 */
export class Event implements SharedHandle {
  private readonly cells: Int32Array;
  private readonly state: MemoryState;

  constructor() {
    const buffer = allocateShared(BYTES, "threading.Event");
    this.state = { buffer, byteOffset: 0 };
    this.cells = new Int32Array(buffer, 0, 1);
  }

  /** Whether the flag is set (Python's `is_set()`). */
  isSet(): boolean {
    return Atomics.load(this.cells, 0) !== 0;
  }

  /** Sets the flag and wakes every thread and task waiting for it. */
  set(): void {
    if (Atomics.exchange(this.cells, 0, 1) === 0) Atomics.notify(this.cells, 0);
  }

  /** Clears the flag; later waits wait until the next `set()`. */
  clear(): void {
    Atomics.store(this.cells, 0, 0);
  }

  /** Waits without blocking the thread until the flag is set; resolves the flag (`false` if `timeoutMs` elapsed first). */
  async wait(timeoutMs?: number): Promise<boolean> {
    const deadline = toDeadline(timeoutMs, "Event.wait");
    if (this.isSet()) return true;
    return runAsync(untilSet(this.cells, deadline));
  }

  /** Blocks this thread until the flag is set (weft workers only; timeout 0 is allowed anywhere); returns the flag. */
  waitSync(timeoutMs?: number): boolean {
    const deadline = toDeadline(timeoutMs, "Event.waitSync");
    if (timeoutMs !== 0) assertMayBlock("Event.waitSync()", "await event.wait()");
    if (this.isSet()) return true;
    return runSync(untilSet(this.cells, deadline));
  }

  [SHARED_HANDLE](): SharedDescriptor {
    return { type: TYPE, state: this.state };
  }
}

registerSharedType(TYPE, (state) => {
  const { buffer, byteOffset } = checkMemoryState(state, TYPE, BYTES);
  return adopt(Event.prototype, { state: { buffer, byteOffset }, cells: new Int32Array(buffer, byteOffset, 1) });
});
