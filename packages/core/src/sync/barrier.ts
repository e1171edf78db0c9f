/** threading.Barrier over shared memory. */
import { registerSharedType, SHARED_HANDLE, type SharedDescriptor, type SharedHandle } from "../shared-handle.js";
import { InvalidArgumentError, TimeoutError } from "../errors.js";
import { assertMayBlock } from "./blocking.js";
import { Condition, CONDITION_WAIT_FOR, conditionOver } from "./condition.js";
import { BrokenBarrierError } from "./errors.js";
import { CONTENDED, lockUntil } from "./futex.js";
import { LOCK_BYTES, lockOver } from "./lock.js";
import { adopt, allocateShared, checkMemoryState, type MemoryState } from "./shared-memory.js";
import { toDeadline } from "./timeout.js";
import { runAsync, runSync, type Waiting } from "./wait.js";

const TYPE = "weft.threading.Barrier";
// Layout (int32 cells): [0..1] the internal lock, [2..4] its condition, then the barrier's own.
const LOCK = 0;
const CONDITION_OFFSET = LOCK_BYTES;
/** The generation: bumped each time the barrier trips or is reset. */
const GEN = 5;
/** Arrivals in the current generation (a party that died after arriving stays counted). */
const COUNT = 6;
/** 1 while broken (aborted, or a wait timed out), until reset. */
const BROKEN = 7;
/**
 * The last generations that tripped, slot `gen % RING`, so that a waiter woken late can tell
 * "my generation tripped" from "it was reset". A waiter would misread only if RING more
 * generations ended before it woke, which needs more threads than parties and a very late wake-up.
 */
const RING_START = 8;
const RING = 8;
const BYTES = (RING_START + RING) * 4;
/**
 * The internal lock is held for a few instructions at a time; a holder that keeps it this long
 * died inside. Timed waits give up on it after their deadline plus this; reset() and abort()
 * take it over.
 */
const INTERNAL_LOCK_GRACE_MS = 1000;

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

function broken(why = "it was aborted or reset, or a wait on it timed out"): BrokenBarrierError {
  return new BrokenBarrierError(`The barrier is broken: ${why}.`);
}

/**
 * Mirrors Python's `threading.Barrier`: `parties` threads each call `wait`; all are released
 * together when the last arrives, each getting a distinct arrival index from 0 to parties − 1.
 * This is threading's Barrier (shared between threads through SharedArrayBuffer); for one event
 * loop use asyncio.Barrier.
 *
 * If a wait times out (milliseconds), the barrier breaks: that wait and every other one throw
 * BrokenBarrierError, as do later waits until `reset()`. `abort()` breaks it on purpose.
 *
 * Dead parties: weft cannot see that a waiting thread was terminated. A party that died after
 * arriving stays counted, so the arrival that completes its generation trips the barrier, as in
 * Python; a party that never comes makes the others wait until their timeout breaks the barrier
 * — every timed wait honours its timeout, so give one (or the `timeout` option) where a party
 * may die. `reset()` then restores the barrier whatever the dead left behind (their arrivals are
 * forgotten), even if one died inside the barrier's internal lock. Unlike
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
    // No generation has tripped yet: slot i holds i + 1, which never maps to slot i.
    for (let i = 0; i < RING; i++) this.cells[RING_START + i] = i + 1;
    this.cond = conditionOver(buffer, CONDITION_OFFSET, lockOver(buffer, 0));
  }

  /** The number of threads required to pass the barrier. */
  get parties(): number {
    return this.state.parties;
  }

  /** The number of threads currently waiting in the barrier (Python's `n_waiting`), counting arrived parties that died since. */
  get nWaiting(): number {
    return this.broken ? 0 : Atomics.load(this.cells, COUNT);
  }

  /** Whether the barrier is broken. */
  get broken(): boolean {
    return Atomics.load(this.cells, BROKEN) !== 0;
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

  private *passing(deadline: number): Waiting<number> {
    const { cells, cond } = this;
    const lockDeadline = deadline === Infinity ? Infinity : deadline + INTERNAL_LOCK_GRACE_MS;
    if (!(yield* lockUntil(cells, LOCK, lockDeadline))) {
      Atomics.store(cells, BROKEN, 1);
      throw broken("a thread died inside its internal lock (reset() recovers it)");
    }
    let holding = true;
    try {
      if (this.broken) throw broken();
      const gen = Atomics.load(cells, GEN);
      const index = Atomics.add(cells, COUNT, 1);
      if (index + 1 === this.state.parties) {
        this.endGeneration(gen, true);
        return index;
      }
      let over: boolean;
      try {
        over = yield* cond[CONDITION_WAIT_FOR](() => Atomics.load(cells, GEN) !== gen || this.broken, deadline);
      } catch (error) {
        if (!(error instanceof TimeoutError)) throw error;
        holding = false; // the condition could not re-acquire the internal lock
        Atomics.store(cells, BROKEN, 1);
        throw broken("a thread died inside its internal lock (reset() recovers it)");
      }
      if (Atomics.load(cells, GEN) !== gen) {
        if (Atomics.load(cells, RING_START + (gen & (RING - 1))) === gen) return index;
        throw broken();
      }
      if (!over) this.breakBarrier();
      throw broken();
    } finally {
      if (holding) cond.release();
    }
  }

  /** Ends the current generation (tripped, or reset): its waiters wake and read how it ended. */
  private endGeneration(gen: number, tripped: boolean): void {
    if (tripped) Atomics.store(this.cells, RING_START + (gen & (RING - 1)), gen);
    Atomics.store(this.cells, COUNT, 0);
    Atomics.store(this.cells, GEN, (gen + 1) | 0);
    this.cond.notifyAll();
  }

  /** Takes the internal lock; if its holder kept it for INTERNAL_LOCK_GRACE_MS, it died inside: take it over. */
  private *lockOrTakeOver(): Waiting<void> {
    if (yield* lockUntil(this.cells, LOCK, performance.now() + INTERNAL_LOCK_GRACE_MS)) return;
    Atomics.store(this.cells, LOCK, CONTENDED); // contended, so that our release wakes its waiters
  }

  private *resetting(): Waiting<void> {
    yield* this.lockOrTakeOver();
    try {
      Atomics.store(this.cells, BROKEN, 0);
      this.endGeneration(Atomics.load(this.cells, GEN), false);
    } finally {
      this.cond.release();
    }
  }

  private *aborting(): Waiting<void> {
    yield* this.lockOrTakeOver();
    try {
      this.breakBarrier();
    } finally {
      this.cond.release();
    }
  }

  private breakBarrier(): void {
    Atomics.store(this.cells, BROKEN, 1);
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
