/**
 * The framed byte protocol between a process worker and its parent, over the child's stdin and
 * stdout. Each message is V8's structured-clone serialization (node:v8's base Serializer: the
 * same format postMessage uses, so Date, Map, Set, BigInt, typed arrays sharing a buffer, and
 * errors with cause survive as they do for threads), behind a marker and a length:
 *
 *     1E 57 45 46 54 00  (RS "WEFT" NUL)   u32 big-endian length   payload
 *
 * The marker lets the parent pass through what a task prints on stdout (console.log) between
 * frames: stdout stays the user's, as with Node's fork. This file is the format; frame-reader.ts
 * takes frames out of a byte stream (told the marker and the decoder: {@link V8_FRAMES}), and
 * frame-writer.ts paces them into one.
 */
import { Deserializer, Serializer } from "node:v8";
import type { FrameFormat } from "./frame-reader.js";

export const MARKER = new Uint8Array([0x1e, 0x57, 0x45, 0x46, 0x54, 0x00]);
/** Marker and length: the bytes before a frame's payload. */
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

/** The message one frame's payload holds. */
export function decodePayload(bytes: Uint8Array): unknown {
  // The deserializer may keep views into its input (typed arrays): give it bytes of its own.
  const deserializer = new Deserializer(bytes.slice());
  deserializer.readHeader();
  return deserializer.readValue();
}

/** What the frame reader needs to know of this format. */
export const V8_FRAMES: FrameFormat = { marker: MARKER, decode: decodePayload };
