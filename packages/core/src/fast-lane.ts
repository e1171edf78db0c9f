/**
 * The fast lane: a shared-memory mailbox that lets an idle thread worker take its next task
 * without a trip through either event loop. After it runs out of work, a thread worker waits on
 * the mailbox for a short window (Atomics.wait, which sleeps, not spins); a task sent in that
 * window is written into shared memory and the worker wakes at once. Its result comes back the
 * same way, observed with Atomics.waitAsync. Anything else — batches, async tasks, values the
 * compact codec does not carry, aborts — takes the ordinary message path, and a message sent
 * while the worker waits wakes it so that it returns to its event loop.
 *
 * Only plain values cross here (undefined, null, booleans, numbers, bigints, strings, arrays and
 * plain objects of them, exactly as structured clone carries them: see codec/compact.ts);
 * everything else falls back to structured clone by message.
 */

import { decodeCompact, encodeCompact } from "./codec/compact.js";
import { FrameReader, FrameWriter } from "./fast-lane-frames.js";
import type { FastLaneBuffers } from "./protocol.js";
import { SpinPolicy } from "./spin-policy.js";

/** How long an idle worker waits on the mailbox before it returns to its event loop (ms). */
export const FAST_LANE_WINDOW_MS = 1;

const BYTES = 64 * 1024;
// Int32 header cells.
const STATE = 0;
const RESULT_SEQ = 1;
/** Messages the caller has sent by the ordinary path, and messages the worker has received. */
const SENT = 2;
const RECEIVED = 3;
const HEADER_BYTES = 16;

/** Worker states: in its event loop; waiting on the mailbox; claimed by the caller (writing); task ready; woken for a message. */
const IN_LOOP = 0;
const WAITING = 1;
const CLAIMED = 2;
const LOADED = 3;
const WOKEN = 4;

export type { FastLaneBuffers };

/** Whether this context can run a fast lane at all (shared memory, and a non-blocking wait for the caller). */
export function fastLaneAvailable(): boolean {
  return typeof SharedArrayBuffer === "function" && typeof (Atomics as { waitAsync?: unknown }).waitAsync === "function";
}

export function createFastLaneBuffers(): FastLaneBuffers {
  return { control: new SharedArrayBuffer(HEADER_BYTES + 2 * BYTES) };
}

/** Writes a message into one half of the mailbox as one compact value; false if it does not fit the compact codec. */
/** @internal Exported for tests (the lane itself writes frames: fast-lane-frames.ts). */
export function writeMessage(view: DataView, half: 0 | 1, message: unknown): boolean {
  return encodeCompact(view, HEADER_BYTES + half * BYTES, BYTES, message);
}

/** @internal Exported for tests. */
export function readMessage(view: DataView, half: 0 | 1): unknown {
  return decodeCompact(view, HEADER_BYTES + half * BYTES, BYTES);
}

/** The frame writer and reader of one side: it writes into `half` and reads the other. */
function endsOf(buffers: FastLaneBuffers, half: 0 | 1): { writer: FrameWriter; reader: FrameReader } {
  const view = new DataView(buffers.control);
  return { writer: new FrameWriter(view, HEADER_BYTES + half * BYTES, BYTES), reader: new FrameReader(view, HEADER_BYTES + (1 - half) * BYTES, BYTES) };
}

// ----- the caller's side ----------------------------------------------------------------------

/** The caller's end of one worker's mailbox. */
export class FastLaneCaller {
  readonly #cells: Int32Array;
  readonly #writer: FrameWriter;
  readonly #reader: FrameReader;
  #resultSeq = 0;
  #watching = false;
  /** Tasks sent through the lane, and lane replies consumed (async tasks answer by message instead). */
  #sent = 0;
  #consumed = 0;
  /** Results taken by spinning since the caller last went through its event loop. */
  #spinStreak = 0;
  #spinPolicy: SpinPolicy | undefined;
  /** When the task now out was sent, and whether the caller spun for its answer (for the policy). */
  #sentAt = 0;
  #spun = false;

  constructor(buffers: FastLaneBuffers, private readonly onResult: (message: unknown) => void) {
    this.#cells = new Int32Array(buffers.control, 0, 4);
    ({ writer: this.#writer, reader: this.#reader } = endsOf(buffers, 0));
  }

  /**
   * Tries to hand `message` to the worker through shared memory. Succeeds only if the worker is
   * waiting on the mailbox and the message fits the codec; otherwise the caller sends it by message.
   */
  trySend(message: unknown): boolean {
    const cells = this.#cells;
    if (Atomics.load(cells, STATE) !== WAITING) return false;
    if (Atomics.compareExchange(cells, STATE, WAITING, CLAIMED) !== WAITING) return false;
    const written = this.#writer.write(message);
    // Either way the worker wakes: with a task, or back to its event loop where the message goes.
    Atomics.store(cells, STATE, written ? LOADED : WOKEN);
    Atomics.notify(cells, STATE);
    if (written) {
      this.#sentAt = performance.now();
      this.#spun = false;
      this.#sent++;
      this.#watch();
    }
    return written;
  }

  /**
   * Waits up to `microseconds` on this thread for the answer to the task just sent, and delivers
   * it at once if it comes. This blocks the caller's thread (it spins): only for callers that
   * asked for it (Pool's `spinWait`). How long it really spins adapts (see SpinPolicy): on a
   * machine whose cores are all busy the worker cannot answer while the caller spins, and then
   * it stops spinning. After 64 answers in a row it lets one go through the event loop, so that
   * timers and I/O are not starved by a tight loop of tasks.
   */
  spin(microseconds: number): boolean {
    if (this.#spinStreak >= 64) {
      this.#spinStreak = 0;
      return false;
    }
    const policy = (this.#spinPolicy ??= new SpinPolicy(microseconds));
    const budget = policy.budget();
    if (budget <= 0) return false;
    this.#spun = true;
    const deadline = performance.now() + budget / 1000;
    do {
      if (this.#consume()) {
        this.#spinStreak++;
        return true;
      }
    } while (performance.now() < deadline);
    return false;
  }

  /** Delivers a lane reply that has not been read yet; false if there is none. */
  #consume(): boolean {
    const seq = Atomics.load(this.#cells, RESULT_SEQ);
    if (seq === this.#resultSeq) return false;
    this.#resultSeq = seq;
    this.#consumed++;
    this.#spinPolicy?.answered(this.#spun, (performance.now() - this.#sentAt) * 1000);
    this.onResult(this.#reader.read());
    return true;
  }

  /**
   * Call before sending a message the ordinary way. Counting it keeps a worker from starting to
   * wait while it is in flight; a worker already waiting goes back to its event loop to read it.
   */
  wake(): void {
    const cells = this.#cells;
    Atomics.add(cells, SENT, 1);
    if (Atomics.load(cells, STATE) === WAITING && Atomics.compareExchange(cells, STATE, WAITING, WOKEN) === WAITING) {
      Atomics.notify(cells, STATE);
    }
  }

  #watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    const waiter = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t?: number): { async: boolean; value: unknown } }).waitAsync(
      this.#cells, RESULT_SEQ, this.#resultSeq,
    );
    const settle = () => {
      this.#watching = false;
      this.#spinStreak = 0;
      this.#consume();
      // A spin may have taken the answer this wait was for: keep watching while answers are due.
      // (A pending waitAsync keeps no runtime alive, so an extra one costs nothing.)
      if (this.#sent > this.#consumed) this.#watch();
    };
    // The worker may have answered already (it wakes within microseconds): settle after the
    // caller has finished recording the task it just sent, never inside trySend.
    if (waiter.async) (waiter.value as Promise<unknown>).then(settle);
    else queueMicrotask(settle);
  }
}

// ----- the worker's side ----------------------------------------------------------------------

/** The worker's end of its mailbox. */
export class FastLaneWorker {
  readonly #cells: Int32Array;
  readonly #writer: FrameWriter;
  readonly #reader: FrameReader;

  constructor(buffers: FastLaneBuffers) {
    this.#cells = new Int32Array(buffers.control, 0, 4);
    ({ writer: this.#writer, reader: this.#reader } = endsOf(buffers, 1));
  }

  /** Counts a message that arrived by the ordinary path (call for every message after the init). */
  received(): void {
    Atomics.add(this.#cells, RECEIVED, 1);
  }

  /**
   * Says the worker waits for its next task, before it sends the results it holds: the caller,
   * woken by them, may then write its next task at once, even while this thread is still on its
   * way to {@link waitForTask} (on a busy machine the caller's wake-up can take this thread's
   * CPU in between). Call waitForTask next, always.
   */
  announceWaiting(): void {
    Atomics.store(this.#cells, STATE, WAITING);
  }

  /**
   * Waits up to the window for a task (after {@link announceWaiting}). Returns the task message,
   * or undefined when the window passed or a message is on its way (the worker must return to
   * its event loop then).
   */
  waitForTask(): unknown {
    const cells = this.#cells;
    // Announced first, checked second: a message sent from now on finds us WAITING and wakes us;
    // one sent before is counted in SENT (Atomics are sequentially consistent).
    if (Atomics.load(cells, SENT) === Atomics.load(cells, RECEIVED)) {
      Atomics.wait(cells, STATE, WAITING, FAST_LANE_WINDOW_MS);
    }
    if (Atomics.compareExchange(cells, STATE, WAITING, IN_LOOP) === WAITING) return undefined;
    let state = Atomics.load(cells, STATE);
    while (state === CLAIMED) {
      Atomics.wait(cells, STATE, CLAIMED);
      state = Atomics.load(cells, STATE);
    }
    Atomics.store(cells, STATE, IN_LOOP);
    return state === LOADED ? this.#reader.read() : undefined;
  }

  /** Sends a result back through the mailbox; false if it does not fit (send it by message). */
  tryReply(message: unknown): boolean {
    if (!this.#writer.write(message)) return false;
    Atomics.add(this.#cells, RESULT_SEQ, 1);
    Atomics.notify(this.#cells, RESULT_SEQ);
    return true;
  }
}
