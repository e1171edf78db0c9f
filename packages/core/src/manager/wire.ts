/**
 * What a proxy's call carries to its manager and back: the object, the method, and values encoded
 * by weft's codec — so that errors, shared handles and other proxies (a dict holding list
 * proxies) cross as they do in task arguments. A call made on the manager's own side copies its
 * values the same way, so that every side sees copies, as Python's manager pickles them.
 */
import type { WorkerKind } from "../port.js";
import { prepareValue, reviveValue } from "../values.js";

/** A value ready to cross: encoded by the codec, or carried as it is by the transport. */
export interface Packed {
  readonly value: unknown;
  readonly encoded: boolean;
}

/** One call on one object of a manager. */
export interface CallPayload {
  readonly object: number;
  /** The object's token: the manager runs the call only if it handed out this pair. */
  readonly token: string;
  readonly method: string;
  readonly args: Packed;
}

const isPrimitive = (value: unknown): boolean => (typeof value !== "object" || value === null) && typeof value !== "function" && typeof value !== "symbol";

/**
 * Encodes `value` to cross to a side of `kind`. `copy`: no transport will copy it (the caller is
 * on this side), so the structured clone a transport would make is made here.
 */
export function pack(value: unknown, kind: WorkerKind, path: string, copy: boolean): Packed {
  if (isPrimitive(value)) return { value, encoded: false };
  const prepared = prepareValue(value, kind, path);
  if (copy && typeof prepared.value === "object" && prepared.value !== null) {
    return { value: structuredClone(prepared.value), encoded: prepared.encoded };
  }
  return prepared;
}

export function unpack(packed: Packed): unknown {
  return packed.encoded ? reviveValue(packed.value) : packed.value;
}

/** A copy of `value` as a worker would receive it (what a manager keeps of what it is given). */
export function copyHere(value: unknown, path: string): unknown {
  return unpack(pack(value, "thread", path, true));
}

/**
 * {@link pack} for a call's arguments: the list is the proxy's own fresh array, so when every
 * argument is a primitive (most calls: a key, an index, a number) it needs neither the codec nor
 * a copy.
 */
export function packArgs(args: readonly unknown[], kind: WorkerKind, path: string, copy: boolean): Packed {
  return args.every(isPrimitive) ? { value: args, encoded: false } : pack(args, kind, path, copy);
}
