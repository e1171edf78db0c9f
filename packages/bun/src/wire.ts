/**
 * How messages cross Bun's IPC between a process worker and its parent.
 *
 * Bun's "advanced" IPC serializes with JSC's structured clone, but before that it walks the whole
 * message in JavaScript, looking for Node Buffers to restore on the other side (every key of every
 * object, each with a property-descriptor lookup). For a batch of 1,024 channel items that walk
 * cost more than the serialization itself (measured: the parent's CPU time for sending 100 such
 * batches fell from 35–94 ms to 8–18 ms once the messages were serialized beforehand).
 *
 * So a message that holds no Buffer is serialized here, with the same structured clone, and
 * travels as bytes (a plain Uint8Array, which the walk passes in one step). A message that holds a
 * Buffer goes as it is, so that Bun's own walk keeps it a Buffer on arrival. Every protocol
 * message is an object: a Uint8Array on arrival is always one of these frames.
 */
import { deserialize, serialize } from "bun:jsc";

/** Whether `value` holds a Node Buffer anywhere Bun's IPC would look (own enumerable data properties, Map and Set entries). */
function holdsBuffer(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const stack: object[] = [value];
  const visited = new Set<object>();
  const visit = (child: unknown): void => {
    if (typeof child === "object" && child !== null && !visited.has(child)) stack.push(child);
  };
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (visited.has(current)) continue;
    visited.add(current);
    if (ArrayBuffer.isView(current)) {
      if (Buffer.isBuffer(current)) return true;
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
  return false;
}

/** What to hand to Bun's `send`: the message's bytes, or the message itself when it holds a Buffer. Throws DataCloneError for what cannot be cloned. */
export function encodeMessage(message: unknown): unknown {
  if (holdsBuffer(message)) return message;
  // JSC returns bytes over a SharedArrayBuffer, which IPC cannot carry: copy them into a plain one.
  return new Uint8Array(serialize(message, { binaryType: "nodebuffer" }));
}

/** The message a `send` on the other side started from. */
export function decodeMessage(received: unknown): unknown {
  return received instanceof Uint8Array ? deserialize(received) : received;
}
