/**
 * How messages cross Bun's IPC between a process worker and its parent.
 *
 * Bun's "advanced" IPC serializes with JSC's structured clone, but before that it walks the whole
 * message in JavaScript, looking for Node Buffers to restore on the other side (every key of every
 * object, each with a property-descriptor lookup). For a batch of 1,024 channel items that walk
 * cost more than the serialization itself (measured: the parent's CPU time for sending 100 such
 * batches fell from 35–94 ms to 8–18 ms once the messages were serialized beforehand).
 *
 * So a big message that holds no Buffer is serialized here, with the same structured clone, and
 * travels as bytes (a plain Uint8Array, which the walk passes in one step). A small message goes
 * as it is (serializing twice costs it more than the walk), and so does one that holds a Buffer,
 * so that Bun's own walk keeps it a Buffer on arrival. Every protocol message is an object: a
 * Uint8Array on arrival is always one of these frames.
 */
import { deserialize, serialize } from "bun:jsc";

/** Below this many values, Bun's walk costs less than serializing twice (measured: a small task message cost 2–3 µs more pre-serialized). */
const WORTH_SERIALIZING = 64;

/**
 * How many values `message` holds (counting stops being exact past {@link WORTH_SERIALIZING}),
 * or -1 when it holds a Node Buffer anywhere Bun's IPC would look for one (own enumerable data
 * properties, array elements, Map and Set entries).
 */
function countValues(message: unknown): number {
  if (typeof message !== "object" || message === null) return 1;
  let count = 0;
  const stack: object[] = [message];
  const visited = new Set<object>();
  const visit = (child: unknown): void => {
    count++;
    if (typeof child === "object" && child !== null && !visited.has(child)) stack.push(child);
  };
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (visited.has(current)) continue;
    visited.add(current);
    if (ArrayBuffer.isView(current)) {
      if (Buffer.isBuffer(current)) return -1;
      continue;
    }
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) visit(current[i]);
      continue;
    }
    if (current instanceof Map) {
      for (const [key, entry] of current) {
        visit(key);
        visit(entry);
      }
      continue;
    }
    if (current instanceof Set) {
      for (const entry of current) visit(entry);
      continue;
    }
    for (const key of Object.keys(current)) {
      const descriptor = Object.getOwnPropertyDescriptor(current, key);
      if (descriptor && "value" in descriptor) visit(descriptor.value);
    }
  }
  return count;
}

/**
 * What to hand to Bun's `send`: a big message's bytes, or the message itself (small, or holding a
 * Buffer). Throws DataCloneError for what cannot be cloned.
 */
export function encodeMessage(message: unknown): unknown {
  if (countValues(message) < WORTH_SERIALIZING) return message;
  // JSC returns bytes over a SharedArrayBuffer, which IPC cannot carry: copy them into a plain one.
  return new Uint8Array(serialize(message, { binaryType: "nodebuffer" }));
}

/** The message a `send` on the other side started from. */
export function decodeMessage(received: unknown): unknown {
  return received instanceof Uint8Array ? deserialize(received) : received;
}
