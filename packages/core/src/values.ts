/**
 * Checks and prepares values before they cross to (or from) a worker, so that a bad value fails
 * at once with a DataCloneError naming where it is (`args[1].handler`), never later inside the
 * transport. Values that need weft's own encoding (errors, shared-memory handles, long number
 * arrays) travel as an envelope that {@link reviveValue} opens; everything else travels as is,
 * by the transport's structured clone. The codec itself lives in codec/graph.ts.
 */
import type { TransferableObject } from "./web-types.js";
import { brandedClass, DataCloneError } from "./errors.js";
import type { WorkerKind } from "./port.js";
import { decodeGraph, encodeGraph } from "./codec/graph.js";

const hasSharedArrayBuffer = typeof SharedArrayBuffer === "function";

/**
 * Validates `value` for sending to a worker of `kind`; returns the value to send (an envelope
 * when it needed encoding, otherwise `value` itself) and whether the receiver must decode it.
 * Throws a {@link DataCloneError} whose `path` starts with `path`.
 */
export function prepareValue(value: unknown, kind: WorkerKind, path: string): { value: unknown; encoded: boolean } {
  return encodeGraph(value, kind, path);
}

/**
 * Same as {@link prepareValue} for an argument list; paths read `args[0]`, `args[1]`… The list is
 * encoded as one value, so an object passed in two arguments arrives as one object. When
 * `encoded` is true, `args` is an envelope (not an array) that only {@link reviveValue} reads.
 */
export function prepareArgs(args: readonly unknown[], kind: WorkerKind): { args: unknown[]; encoded: boolean } {
  let needsWalk = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg === "object" || typeof arg === "function" || typeof arg === "symbol") {
      if (arg !== null) needsWalk = true;
    }
  }
  if (!needsWalk) return { args: args as unknown[], encoded: false };
  const prepared = encodeGraph(args, kind, "args");
  return { args: prepared.value as unknown[], encoded: prepared.encoded };
}

/**
 * Revives what {@link prepareValue} or {@link prepareArgs} encoded (call it only when `encoded`
 * was true). Never throws on what the encoder produced, whatever its cycles or depth; on foreign or
 * corrupt input it throws a MalformedMessageError.
 */
export function reviveValue(value: unknown): unknown {
  return decodeGraph(value, brandedClass);
}

/** Collects the transferable ArrayBuffers named by the caller, refusing shared ones (they are shared, not moved). */
export function checkTransferList(transfer: readonly TransferableObject[] | undefined): readonly TransferableObject[] | undefined {
  if (!transfer || transfer.length === 0) return undefined;
  for (const [i, item] of transfer.entries()) {
    if (hasSharedArrayBuffer && item instanceof SharedArrayBuffer) {
      throw new DataCloneError(`transfer[${i}]`, "a SharedArrayBuffer is shared, not transferred; leave it out of the transfer list.");
    }
  }
  return transfer;
}
