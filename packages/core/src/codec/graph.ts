/**
 * The graph codec: checks a value before it crosses to (or from) a worker, and carries what the
 * transport's structured clone cannot carry as weft needs it — Errors (every runtime alike, with
 * their cause chains, members and own properties), shared-memory handles, long number arrays
 * packed as raw bytes, and (for thrown values only) symbols.
 *
 * weft's encodings never collide with user data: they are not marked by reserved keys. An encoded
 * value travels as an {@link Envelope} whose `specials` list holds weft's encoding objects; the
 * transport keeps object identity within one message, so the receiver replaces exactly the
 * objects that list holds — a user object with any keys at all is never mistaken for one.
 *
 * Both directions are iterative (an explicit stack, never recursion) and track what they visited,
 * so cycles and shared references arrive as they were, and no depth overflows the call stack.
 * Values nested deeper than {@link MAX_DEPTH} are refused up front with a DataCloneError, because
 * the transports' own (recursive) serializers overflow a little above that.
 *
 * The parts: shapes.ts (wire shapes, limits, shared checks), encoder.ts, decoder.ts.
 */
export { MAX_DEPTH, PACK_NUMBERS_FROM, type ErrorSpecial, type Special, type Envelope, safeString, defineOwn } from "./shapes.js";
export { encodeGraph, checkCrossing, checkCrossingExactly, encodeThrown } from "./encoder.js";
export { decodeGraph } from "./decoder.js";
