/** threading.Barrier over shared memory. */
import { registerSharedType, SHARED_HANDLE, type SharedDescriptor, type SharedHandle } from "../shared-handle.js";
import { InvalidArgumentError } from "../errors.js";
import { assertMayBlock } from "./blocking.js";
import { Condition, CONDITION_BYTES, CONDITION_WAIT, CONDITION_WAIT_FOR, conditionOver } from "./condition.js";
import { BrokenBarrierError } from "./errors.js";
import { lockUntil } from "./futex.js";
import { lockOver } from "./lock.js";
import { adopt, allocateShared, checkMemoryState, type MemoryState } from "./shared-memory.js";
import { toDeadline } from "./timeout.js";
import { runAsync, runSync, type Waiting } from "./wait.js";

const TYPE = "weft.threading.Barrier";
// Layout (int32 cells): [0] lock, [1..3] condition, [4] state, [5] count.
const CONDITION_OFFSET = 4;
const STATE = 4;
const COUNT = 5;
const BYTES = 24;

// Python's Barrier states.
const FILLING = 0;
const DRAINING = 1;
const RESETTING = -1;
const BROKEN = -2;

interface BarrierState extends MemoryState {
  readonly parties: number;
  readonly timeout: number | undefined;
}

/** Options of {@link Barrier}. */
export interface BarrierOptions {
  /** Default timeout (ms) of `wait` / `waitSync` when they are given none. */
  readonly timeout?: number;
}

function checkParties(parties: unknown, what: string): number {
  if (typeof parties !== "number" || !Number.isInteger(parties) || parties < 1 || parties > 0x7fffffff) {
    throw new InvalidArgumentError(`${what} must be an integer ≥ 1; got ${String(parties)}.`);
  }
  return parties;
}

function broken(): BrokenBarrierError {
  return new BrokenBarrierError("The barrier is broken: it was aborted or reset, or a wait on it timed out.");
}

/**
 * Mirrors Python's `threading.Barrier`: `parties` threads each call `wait`; all are released
 * together when the last arrives, each getting a distinct arrival index from 0 to parties − 1.
 * This is threading's Barrier (shared between threads through SharedArrayBuffer); for one event
 * loop use asyncio.Barrier.
 *
 * If a wait times out (milliseconds), the barrier breaks: that wait and every other one throw
 * BrokenBarrierError, as do later waits until `reset()`. `abort()` breaks it on purpose. Unlike
 * Python there is no `action` callback (a function cannot live in shared memory): let the thread
 * that gets index 0 do the work, e.g. `if ((await barrier.wait()) === 0) …`.
 * The `*Sync` methods block and are only allowed inside a weft worker; the others never block.
 */
export class Barrier implements SharedHandle {
  private readonly cells: Int32Array;
  private readonly cond: Condition;
  private readonly state: BarrierState;

  constructor(parties: number, options: BarrierOptions = {}) {
    checkParties(parties, "Barrier(parties)");
    if (options.timeout !== undefined) toDeadline(options.timeout, "Barrier's timeout option");
    const buffer = allocateShared(BYTES, "threading.Barrier");
    this.state = { buffer, byteOffset: 0, parties, timeout: options.timeout };
    this.cells = new Int32Array(buffer, 0, BYTES / 4);
    this.cond = conditionOver(buffer, CONDITION_OFFSET, lockOver(buffer, 0));
  }

  /** The number of threads required to pass the barrier. */
  get parties(): number {
    return this.state.parties;
  }

  /** The number of threads currently waiting in the barrier (Python's `n_waiting`). */
  get nWaiting(): number {
    return Atomics.load(this.cells, STATE) === FILLING ? Atomics.load(this.cells, COUNT) : 0;
  }

  /** Whether the barrier is broken. */
  get broken(): boolean {
    return Atomics.load(this.cells, STATE) === BROKEN;
  }

  /**
   * Waits without blocking the thread until all parties have arrived; resolves this caller's
   * arrival index (0 … parties − 1). Rejects with BrokenBarrierError if the barrier is or becomes
   * broken, including when `timeoutMs` (default: the constructor's timeout) elapses.
   */
  async wait(timeoutMs?: number): Promise<number> {
    const deadline = toDeadline(timeoutMs ?? this.state.timeout, "Barrier.wait");
    return runAsync(this.passing(deadline));
  }

  /** Same as {@link wait}, blocking this thread (weft workers only). */
  waitSync(timeoutMs?: number): number {
    const deadline = toDeadline(timeoutMs ?? this.state.timeout, "Barrier.waitSync");
    assertMayBlock("Barrier.waitSync()", "await barrier.wait()");
    return runSync(this.passing(deadline));
  }

  /** Returns the barrier to its initial state; threads waiting in it get BrokenBarrierError. */
  async reset(): Promise<void> {
    await runAsync(this.resetting());
  }

  /** Same as {@link reset}, blocking briefly on the barrier's internal lock (weft workers only). */
  resetSync(): void {
    assertMayBlock("Barrier.resetSync()", "await barrier.reset()");
    runSync(this.resetting());
  }

  /** Breaks the barrier: current and future waits throw BrokenBarrierError until `reset()`. */
  async abort(): Promise<void> {
    await runAsync(this.aborting());
  }

  /** Same as {@link abort}, blocking briefly on the barrier's internal lock (weft workers only). */
  abortSync(): void {
    assertMayBlock("Barrier.abortSync()", "await barrier.abort()");
    runSync(this.aborting());
  }

  private get phase(): number {
    return Atomics.load(this.cells, STATE);
  }

  private set phase(value: number) {
    Atomics.store(this.cells, STATE, value);
  }

  private *passing(deadline: number): Waiting<number> {
    const { cells, cond } = this;
    yield* lockUntil(cells, 0, Infinity);
    try {
      // Wait while the previous cycle drains or resets.
      while (this.phase === DRAINING || this.phase === RESETTING) yield* cond[CONDITION_WAIT](Infinity);
      if (this.phase === BROKEN) throw broken();
      const index = Atomics.add(cells, COUNT, 1);
      try {
        if (index + 1 === this.state.parties) {
          this.phase = DRAINING;
          cond.notifyAll();
        } else {
          const passed = yield* cond[CONDITION_WAIT_FOR](() => this.phase !== FILLING, deadline);
          if (!passed) {
            this.breakBarrier();
            throw broken();
          }
          if (this.phase === BROKEN || this.phase === RESETTING) throw broken();
        }
        return index;
      } finally {
        // The last one out of a draining (or resetting) barrier refills it.
        if (Atomics.sub(cells, COUNT, 1) === 1 && (this.phase === DRAINING || this.phase === RESETTING)) {
          this.phase = FILLING;
          cond.notifyAll();
        }
      }
    } finally {
      cond.release();
    }
  }

  private *resetting(): Waiting<void> {
    yield* lockUntil(this.cells, 0, Infinity);
    try {
      if (Atomics.load(this.cells, COUNT) > 0) {
        if (this.phase === FILLING || this.phase === BROKEN) this.phase = RESETTING;
      } else {
        this.phase = FILLING;
      }
      this.cond.notifyAll();
    } finally {
      this.cond.release();
    }
  }

  private *aborting(): Waiting<void> {
    yield* lockUntil(this.cells, 0, Infinity);
    try {
      this.breakBarrier();
    } finally {
      this.cond.release();
    }
  }

  private breakBarrier(): void {
    this.phase = BROKEN;
    this.cond.notifyAll();
  }

  [SHARED_HANDLE](): SharedDescriptor {
    return { type: TYPE, state: this.state };
  }
}

registerSharedType(TYPE, (state) => {
  const { buffer, byteOffset } = checkMemoryState(state, TYPE, BYTES);
  const { parties, timeout } = state as Partial<BarrierState>;
  checkParties(parties, `Cannot revive ${TYPE}: its parties`);
  if (timeout !== undefined) toDeadline(timeout, `Cannot revive ${TYPE}: its timeout`);
  return adopt(Barrier.prototype, {
    state: { buffer, byteOffset, parties, timeout },
    cells: new Int32Array(buffer, byteOffset, BYTES / 4),
    cond: conditionOver(buffer, byteOffset + CONDITION_OFFSET, lockOver(buffer, byteOffset)),
  });
});
