/**
 * The framed byte protocol between a process worker and its parent, over the child's stdin and
 * stdout. Each message is V8's structured-clone serialization (node:v8's base Serializer: the
 * same format postMessage uses, so Date, Map, Set, BigInt, typed arrays sharing a buffer, and
 * errors with cause survive as they do for threads), behind a marker and a length:
 *
 *     1E 57 45 46 54 00  (RS "WEFT" NUL)   u32 big-endian length   payload
 *
 * The marker lets the parent pass through what a task prints on stdout (console.log) between
 * frames: stdout stays the user's, as with Node's fork.
 */
import { Deserializer, Serializer } from "node:v8";
import { nextTurn } from "@weft/core/adapter";

export const MARKER = new Uint8Array([0x1e, 0x57, 0x45, 0x46, 0x54, 0x00]);
const HEADER = MARKER.length + 4;

/** Serializes one message into one frame. Throws DataCloneError-like errors for values V8 refuses. */
export function encodeFrame(message: unknown): Uint8Array {
  const serializer = new Serializer();
  serializer.writeHeader();
  serializer.writeValue(message);
  const payload = serializer.releaseBuffer();
  const frame = new Uint8Array(HEADER + payload.length);
  frame.set(MARKER);
  new DataView(frame.buffer).setUint32(MARKER.length, payload.length);
  frame.set(payload, HEADER);
  return frame;
}

function decodePayload(bytes: Uint8Array): unknown {
  // The deserializer may keep views into its input (typed arrays): give it bytes of its own.
  const deserializer = new Deserializer(bytes.slice());
  deserializer.readHeader();
  return deserializer.readValue();
}

/** Length of the longest suffix of `bytes` that could start a marker. */
function partialMarkerAt(bytes: Uint8Array, from: number): number {
  for (let start = Math.max(from, bytes.length - MARKER.length + 1); start < bytes.length; start++) {
    let match = true;
    for (let i = start; i < bytes.length; i++) {
      if (bytes[i] !== MARKER[i - start]) {
        match = false;
        break;
      }
    }
    if (match) return start;
  }
  return bytes.length;
}

function findMarker(bytes: Uint8Array, from: number): number {
  for (let i = bytes.indexOf(MARKER[0]!, from); i >= 0 && i + MARKER.length <= bytes.length; i = bytes.indexOf(MARKER[0]!, i + 1)) {
    let match = true;
    for (let j = 1; j < MARKER.length; j++) {
      if (bytes[i + j] !== MARKER[j]) {
        match = false;
        break;
      }
    }
    if (match) return i;
  }
  return -1;
}

/**
 * Feeds `reader` with the chunks `read` gives until it gives none (done), one chunk per turn of
 * the event loop. Deno resolves a read of a pipe that already holds data without a turn of the
 * event loop, so a loop that read on at once would run ahead of every other promise
 * continuation: a consumer that takes items one `await` at a time got one item per 64 KB chunk
 * while the chunks piled up (measured: 60k items queued). Rejects with what `read` or the reader
 * threw (a corrupt frame).
 */
export async function pumpFrames(read: () => Promise<Uint8Array | undefined>, reader: FrameReader): Promise<void> {
  for (;;) {
    const chunk = await read();
    if (chunk === undefined) return;
    reader.feed(chunk);
    await nextTurn();
  }
}

/**
 * A stateful reader: feed it chunks as they arrive; it calls `onMessage` per complete frame and
 * `onText` with any bytes outside frames. A frame that fails to decode throws from `feed`.
 */
export class FrameReader {
  #buffer = new Uint8Array(0);
  /**
   * A frame longer than what has arrived: its bytes so far, kept as separate chunks until
   * `#awaiting` bytes are in, then joined once — joining at every chunk would copy a big frame
   * over and over (quadratic in its size).
   */
  #parts: Uint8Array[] = [];
  #partsBytes = 0;
  #awaiting = 0;
  readonly #onMessage: (message: unknown) => void;
  readonly #onText: (bytes: Uint8Array) => void;

  constructor(onMessage: (message: unknown) => void, onText: (bytes: Uint8Array) => void) {
    this.#onMessage = onMessage;
    this.#onText = onText;
  }

  feed(chunk: Uint8Array): void {
    if (this.#awaiting > 0) {
      // Copied: the caller may reuse its read buffer.
      this.#parts.push(chunk.slice());
      this.#partsBytes += chunk.length;
      if (this.#partsBytes < this.#awaiting) return;
      chunk = joinChunks(this.#parts, this.#partsBytes);
      this.#parts = [];
      this.#partsBytes = 0;
      this.#awaiting = 0;
    }
    let bytes: Uint8Array;
    if (this.#buffer.length === 0) bytes = chunk;
    else {
      bytes = new Uint8Array(this.#buffer.length + chunk.length);
      bytes.set(this.#buffer);
      bytes.set(chunk, this.#buffer.length);
    }
    let at = 0;
    let awaiting = 0;
    const payloads: Uint8Array[] = [];
    while (at < bytes.length) {
      const marker = findMarker(bytes, at);
      if (marker < 0) {
        const keep = partialMarkerAt(bytes, at);
        if (keep > at) this.#onText(bytes.subarray(at, keep));
        at = keep;
        break;
      }
      if (marker > at) this.#onText(bytes.subarray(at, marker));
      at = marker;
      if (bytes.length - at < HEADER) break;
      const length = new DataView(bytes.buffer, bytes.byteOffset + at + MARKER.length, 4).getUint32(0);
      if (bytes.length - at < HEADER + length) {
        awaiting = HEADER + length;
        break;
      }
      const payload = bytes.subarray(at + HEADER, at + HEADER + length);
      at += HEADER + length;
      payloads.push(payload);
    }
    const rest = at >= bytes.length ? new Uint8Array(0) : bytes.slice(at);
    if (awaiting > 0) {
      this.#parts = [rest];
      this.#partsBytes = rest.length;
      this.#awaiting = awaiting;
      this.#buffer = new Uint8Array(0);
    } else {
      this.#buffer = rest;
    }
    for (const payload of payloads) {
      const message = decodePayload(payload);
      // A throwing handler must not stop the frames after it, as with an event listener.
      try {
        this.#onMessage(message);
      } catch (error) {
        reportError(error);
      }
    }
  }
}

/** Frames out over a byte stream whose writes complete later: see {@link frameWriter}. */
export interface FrameWriter {
  /** Queues a frame; `sent` runs once it has left, or once the stream failed. */
  send(frame: Uint8Array, sent?: () => void): void;
  /** Settles once every queued frame has left (or failed); undefined when none waits. */
  whenSent(): Promise<void> | undefined;
}

/**
 * Sends frames over a byte stream whose writes complete later (a child's stdin, a socket).
 * Frames sent while a write is under way wait, then leave together in the next one: a busy event
 * loop turns rarely, and one write per frame would hold each later frame back a turn. A failed
 * write counts as sent: the other side is gone, and the worker's exit settles what it held.
 *
 * `start` says when a write begins: "turn" waits for the end of the current turn, so that frames
 * sent in one turn leave in one write (the parent, which sends many); "now" begins at once — a
 * Deno socket write is tried on the spot, so a frame leaves even if a task then never yields.
 */
export function frameWriter(writeAll: (bytes: Uint8Array) => Promise<unknown>, start: "turn" | "now"): FrameWriter {
  let frames: Uint8Array[] = [];
  let callbacks: (() => void)[] = [];
  let writing = false;
  let idle: { promise: Promise<void>; resolve: () => void } | undefined;
  const drain = async () => {
    writing = true;
    while (frames.length > 0) {
      const bytes = joinChunks(frames);
      const done = callbacks;
      frames = [];
      callbacks = [];
      await writeAll(bytes).catch(() => undefined);
      for (const sent of done) sent();
    }
    writing = false;
    idle?.resolve();
    idle = undefined;
  };
  return {
    send(frame, sent) {
      const begin = frames.length === 0 && !writing;
      frames.push(frame);
      if (sent) callbacks.push(sent);
      if (!begin) return;
      if (start === "now") void drain();
      else queueMicrotask(drain);
    },
    whenSent() {
      if (frames.length === 0 && !writing) return undefined;
      if (!idle) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        idle = { promise, resolve };
      }
      return idle.promise;
    },
  };
}

function joinChunks(chunks: readonly Uint8Array[], total = chunks.reduce((sum, chunk) => sum + chunk.length, 0)): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const joined = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.length;
  }
  return joined;
}
