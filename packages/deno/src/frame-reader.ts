/**
 * Takes frames out of a byte stream that also carries other bytes (what a task printed between
 * frames, on a child's stdout). A frame is a marker, a u32 big-endian length and that many bytes
 * of payload; the marker and how a payload decodes are the format's (wire.ts: V8_FRAMES). This
 * file imports no other of the adapter's, so that a test loads it from source as it is.
 */
import { nextTurn } from "@weft/core/adapter";

/** A frame format as the reader sees it. */
export interface FrameFormat {
  /** The bytes that open every frame. */
  readonly marker: Uint8Array;
  /** The message a frame's payload holds; throws on a corrupt one. */
  decode(payload: Uint8Array): unknown;
}

/** Length of the longest suffix of `bytes` that could start a marker. */
function partialMarkerAt(bytes: Uint8Array, from: number, marker: Uint8Array): number {
  for (let start = Math.max(from, bytes.length - marker.length + 1); start < bytes.length; start++) {
    let match = true;
    for (let i = start; i < bytes.length; i++) {
      if (bytes[i] !== marker[i - start]) {
        match = false;
        break;
      }
    }
    if (match) return start;
  }
  return bytes.length;
}

function findMarker(bytes: Uint8Array, from: number, marker: Uint8Array): number {
  for (let i = bytes.indexOf(marker[0]!, from); i >= 0 && i + marker.length <= bytes.length; i = bytes.indexOf(marker[0]!, i + 1)) {
    let match = true;
    for (let j = 1; j < marker.length; j++) {
      if (bytes[i + j] !== marker[j]) {
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
  readonly #format: FrameFormat;
  /** Marker and length: the bytes before a frame's payload. */
  readonly #header: number;
  readonly #onMessage: (message: unknown) => void;
  readonly #onText: (bytes: Uint8Array) => void;

  constructor(format: FrameFormat, onMessage: (message: unknown) => void, onText: (bytes: Uint8Array) => void) {
    this.#format = format;
    this.#header = format.marker.length + 4;
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
    const { marker, decode } = this.#format;
    const header = this.#header;
    let at = 0;
    let awaiting = 0;
    const payloads: Uint8Array[] = [];
    while (at < bytes.length) {
      const found = findMarker(bytes, at, marker);
      if (found < 0) {
        const keep = partialMarkerAt(bytes, at, marker);
        if (keep > at) this.#onText(bytes.subarray(at, keep));
        at = keep;
        break;
      }
      if (found > at) this.#onText(bytes.subarray(at, found));
      at = found;
      if (bytes.length - at < header) break;
      const length = new DataView(bytes.buffer, bytes.byteOffset + at + marker.length, 4).getUint32(0);
      if (bytes.length - at < header + length) {
        awaiting = header + length;
        break;
      }
      const payload = bytes.subarray(at + header, at + header + length);
      at += header + length;
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
      const message = decode(payload);
      // A throwing handler must not stop the frames after it, as with an event listener.
      try {
        this.#onMessage(message);
      } catch (error) {
        reportError(error);
      }
    }
  }
}

/** `chunks` as one array (the only one itself, when there is one); the frame writer joins with it too. */
export function joinChunks(chunks: readonly Uint8Array[], total = chunks.reduce((sum, chunk) => sum + chunk.length, 0)): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const joined = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.length;
  }
  return joined;
}
