/**
 * Carrying a thrown value across a worker boundary. It uses the graph codec, so an error arrives
 * exactly as an error inside a result would: name, message, stack, own properties, `cause`
 * chains of any length (each link is flat, not nested), AggregateError members, cycles.
 *
 * Encoding never throws, whatever was thrown: a throwing `name`/`message` getter or property
 * leaves a note in its place, and a value that cannot cross (a function, a class instance) is
 * replaced by its string form. A thrown symbol arrives as a symbol with the same description; a
 * registered one (`Symbol.for(key)`) arrives as that very symbol. Decoding never throws either.
 */
import { brandedClass, MalformedMessageError } from "../errors.js";
import { decodeGraph, encodeThrown, safeString, type Envelope } from "./graph.js";

/** A thrown value as it travels: plain data every transport carries. Opaque; read it with {@link deserializeError}. */
export type SerializedError = Envelope;

/** Encodes any thrown value. Never throws. */
export function serializeError(thrown: unknown): SerializedError {
  return encodeThrown(thrown);
}

/**
 * Rebuilds a thrown value on the receiving side. Errors come back as errors: built-in names
 * (TypeError…) and weft's own errors as their classes, so `instanceof` holds; any other name as an
 * Error carrying that name (names are looked up in maps, never on a prototype, so a name such
 * as "constructor" or "__proto__" is only a name). A thrown non-Error comes back as itself.
 * `callerStack` (the stack where the call was made) is appended to the worker's stack.
 *
 * Never throws: an input this codec did not produce gives a MalformedMessageError.
 */
export function deserializeError(encoded: SerializedError, callerStack?: string): unknown {
  let thrown: unknown;
  try {
    thrown = decodeGraph(encoded, brandedClass);
  } catch (error) {
    return error instanceof MalformedMessageError ? error : new MalformedMessageError(`A thrown value could not be decoded: ${safeString(error)}`);
  }
  if (callerStack && thrown instanceof Error) {
    try {
      const workerStack = typeof thrown.stack === "string" ? thrown.stack : `${thrown.name}: ${thrown.message}`;
      const joined = `${workerStack}\n    --- awaited in the caller ---\n${callerStack.split("\n").slice(1).join("\n")}`;
      Object.defineProperty(thrown, "stack", { value: joined, writable: true, configurable: true });
    } catch {
      // A frozen or hostile error keeps the stack it has.
    }
  }
  return thrown;
}
