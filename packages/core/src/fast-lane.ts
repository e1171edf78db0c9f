/**
 * The fast lane: a shared-memory mailbox that lets an idle thread worker take its next task
 * without a trip through either event loop. After it runs out of work, a thread worker waits on
 * the mailbox for a short window (Atomics.wait, which sleeps, not spins); a task sent in that
 * window is written into shared memory and the worker wakes at once. Its result comes back the
 * same way, observed with Atomics.waitAsync. Anything else — batches, async tasks, values the
 * compact codec does not carry, aborts — takes the ordinary message path, and a message sent
 * while the worker waits wakes it so that it returns to its event loop.
 *
 * Only plain values cross here (undefined, null, booleans, numbers, strings, arrays and plain
 * objects of them); everything else falls back to structured clone by message.
 */

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

export interface FastLaneBuffers {
  readonly control: SharedArrayBuffer;
}

/** Whether this context can run a fast lane at all (shared memory, and a non-blocking wait for the caller). */
export function fastLaneAvailable(): boolean {
  return typeof SharedArrayBuffer === "function" && typeof (Atomics as { waitAsync?: unknown }).waitAsync === "function";
}

export function createFastLaneBuffers(): FastLaneBuffers {
  return { control: new SharedArrayBuffer(HEADER_BYTES + 2 * BYTES) };
}

// ----- the compact codec --------------------------------------------------------------------

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_NUMBER = 4;
const T_STRING = 5;
const T_ARRAY = 6;
const T_OBJECT = 7;
/** Whole numbers in int32 range travel as int32 so that they arrive as integers (JavaScriptCore computes slower on a number that came back from a float64). */
const T_INT32 = 8;

class Writer {
  offset: number;
  readonly end: number;
  constructor(readonly view: DataView, start: number, size: number) {
    this.offset = start;
    this.end = start + size;
  }
  room(bytes: number): boolean {
    return this.offset + bytes <= this.end;
  }
  /** Writes `value`; false if it is not a plain value or does not fit. */
  value(value: unknown, depth = 0): boolean {
    if (depth > 32 || !this.room(9)) return false;
    const view = this.view;
    switch (typeof value) {
      case "undefined":
        view.setUint8(this.offset++, T_UNDEFINED);
        return true;
      case "boolean":
        view.setUint8(this.offset++, value ? T_TRUE : T_FALSE);
        return true;
      case "number":
        if ((value | 0) === value && !Object.is(value, -0)) {
          view.setUint8(this.offset++, T_INT32);
          view.setInt32(this.offset, value);
          this.offset += 4;
          return true;
        }
        view.setUint8(this.offset++, T_NUMBER);
        view.setFloat64(this.offset, value);
        this.offset += 8;
        return true;
      case "string":
        return this.string(value);
      case "object": {
        if (value === null) {
          view.setUint8(this.offset++, T_NULL);
          return true;
        }
        if (Array.isArray(value)) {
          view.setUint8(this.offset++, T_ARRAY);
          view.setUint32(this.offset, value.length);
          this.offset += 4;
          for (const item of value) if (!this.value(item, depth + 1)) return false;
          return true;
        }
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) return false;
        const keys = Object.keys(value);
        view.setUint8(this.offset++, T_OBJECT);
        view.setUint32(this.offset, keys.length);
        this.offset += 4;
        for (const key of keys) {
          if (!this.string(key, false) || !this.value((value as Record<string, unknown>)[key], depth + 1)) return false;
        }
        return true;
      }
      default:
        return false;
    }
  }
  string(text: string, tagged = true): boolean {
    if (!this.room(5 + text.length * 2)) return false;
    if (tagged) this.view.setUint8(this.offset++, T_STRING);
    this.view.setUint32(this.offset, text.length);
    this.offset += 4;
    for (let i = 0; i < text.length; i++) {
      this.view.setUint16(this.offset, text.charCodeAt(i));
      this.offset += 2;
    }
    return true;
  }
}

class Reader {
  constructor(readonly view: DataView, public offset: number) {}
  value(): unknown {
    const view = this.view;
    const tag = view.getUint8(this.offset++);
    switch (tag) {
      case T_UNDEFINED:
        return undefined;
      case T_NULL:
        return null;
      case T_FALSE:
        return false;
      case T_TRUE:
        return true;
      case T_NUMBER: {
        const n = view.getFloat64(this.offset);
        this.offset += 8;
        return n;
      }
      case T_INT32: {
        const n = view.getInt32(this.offset);
        this.offset += 4;
        return n;
      }
      case T_STRING:
        return this.string();
      case T_ARRAY: {
        const length = view.getUint32(this.offset);
        this.offset += 4;
        const out = new Array(length);
        for (let i = 0; i < length; i++) out[i] = this.value();
        return out;
      }
      default: {
        const count = view.getUint32(this.offset);
        this.offset += 4;
        const out: Record<string, unknown> = {};
        for (let i = 0; i < count; i++) {
          const key = this.string();
          out[key] = this.value();
        }
        return out;
      }
    }
  }
  string(): string {
    const length = this.view.getUint32(this.offset);
    this.offset += 4;
    let text = "";
    for (let i = 0; i < length; i += 4096) {
      const codes: number[] = [];
      for (let j = i; j < Math.min(length, i + 4096); j++) {
        codes.push(this.view.getUint16(this.offset));
        this.offset += 2;
      }
      text += String.fromCharCode(...codes);
    }
    return text;
  }
}

/** Writes a message into one half of the mailbox; false if it does not fit the compact codec. */
/** @internal Exported for tests. */
export function writeMessage(view: DataView, half: 0 | 1, message: unknown): boolean {
  return new Writer(view, HEADER_BYTES + half * BYTES, BYTES).value(message);
}

/** @internal Exported for tests. */
export function readMessage(view: DataView, half: 0 | 1): unknown {
  return new Reader(view, HEADER_BYTES + half * BYTES).value();
}

// ----- the caller's side ----------------------------------------------------------------------

/** The caller's end of one worker's mailbox. */
export class FastLaneCaller {
  readonly #cells: Int32Array;
  readonly #view: DataView;
  #resultSeq = 0;
  #watching = false;
  /** Tasks sent through the lane, and lane replies consumed (async tasks answer by message instead). */
  #sent = 0;
  #consumed = 0;
  /** Results taken by spinning since the caller last went through its event loop. */
  #spinStreak = 0;

  constructor(buffers: FastLaneBuffers, private readonly onResult: (message: unknown) => void) {
    this.#cells = new Int32Array(buffers.control, 0, 4);
    this.#view = new DataView(buffers.control);
  }

  /**
   * Tries to hand `message` to the worker through shared memory. Succeeds only if the worker is
   * waiting on the mailbox and the message fits the codec; otherwise the caller sends it by message.
   */
  trySend(message: unknown): boolean {
    const cells = this.#cells;
    if (Atomics.load(cells, STATE) !== WAITING) return false;
    if (Atomics.compareExchange(cells, STATE, WAITING, CLAIMED) !== WAITING) return false;
    const written = writeMessage(this.#view, 0, message);
    // Either way the worker wakes: with a task, or back to its event loop where the message goes.
    Atomics.store(cells, STATE, written ? LOADED : WOKEN);
    Atomics.notify(cells, STATE);
    if (written) {
      this.#sent++;
      this.#watch();
    }
    return written;
  }

  /**
   * Waits up to `microseconds` on this thread for the answer to the task just sent, and delivers
   * it at once if it comes. This blocks the caller's thread (it spins): only for callers that
   * asked for it (Pool's `spinWait`). After 64 answers in a row it lets one go through the event
   * loop, so that timers and I/O are not starved by a tight loop of tasks.
   */
  spin(microseconds: number): boolean {
    if (this.#spinStreak >= 64) {
      this.#spinStreak = 0;
      return false;
    }
    const deadline = performance.now() + microseconds / 1000;
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
    this.onResult(readMessage(this.#view, 1));
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
  readonly #view: DataView;

  constructor(buffers: FastLaneBuffers) {
    this.#cells = new Int32Array(buffers.control, 0, 4);
    this.#view = new DataView(buffers.control);
  }

  /** Counts a message that arrived by the ordinary path (call for every message after the init). */
  received(): void {
    Atomics.add(this.#cells, RECEIVED, 1);
  }

  /**
   * Waits up to the window for a task. Returns the task message, or undefined when the window
   * passed or a message is on its way (the worker must return to its event loop then).
   */
  waitForTask(): unknown {
    const cells = this.#cells;
    Atomics.store(cells, STATE, WAITING);
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
    return state === LOADED ? readMessage(this.#view, 0) : undefined;
  }

  /** Sends a result back through the mailbox; false if it does not fit (send it by message). */
  tryReply(message: unknown): boolean {
    if (!writeMessage(this.#view, 1, message)) return false;
    Atomics.add(this.#cells, RESULT_SEQ, 1);
    Atomics.notify(this.#cells, RESULT_SEQ);
    return true;
  }
}
