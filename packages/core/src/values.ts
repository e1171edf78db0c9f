/**
 * Checks and prepares values before they cross to a worker, so that a bad argument fails at the
 * call with an error naming it, not later inside a batch. Shared-memory handles are replaced by
 * their descriptors (and revived on the other side); everything else travels as-is, by the
 * transport's structured clone.
 */
import { DataCloneError, deserializeError, serializeError, type SerializedError } from "./errors.js";
import type { WorkerKind } from "./port.js";
import { isSharedHandle, reviveShared, SHARED_HANDLE, type SharedDescriptor } from "./shared-handle.js";

const ENCODED_SHARED = "__weft_shared__";
const ENCODED_ERROR = "__weft_error__";
const ENCODED_NUMBERS = "__weft_numbers__";
/** Arrays of numbers at least this long travel as one typed array (raw bytes), not item by item. */
const PACK_NUMBERS_FROM = 256;

interface EncodedShared {
  readonly [ENCODED_SHARED]: SharedDescriptor;
}

const CLONEABLE_CLASSES: readonly (abstract new (...args: never[]) => unknown)[] = [
  Date, RegExp, ArrayBuffer, DataView, Map, Set, Error, Boolean, Number, String,
  ...(typeof Blob === "function" ? [Blob] : []),
];

const hasSharedArrayBuffer = typeof SharedArrayBuffer === "function";

function isShared(buffer: ArrayBufferLike): boolean {
  return hasSharedArrayBuffer && buffer instanceof SharedArrayBuffer;
}

function refuseSharedForProcess(path: string, what: string): never {
  throw new DataCloneError(
    path,
    `${what} lives in shared memory, and a process shares no memory with its parent. ` +
      `Use a thread (kind: "thread") to share it, or send a copy (e.g. buffer.slice()).`,
  );
}

interface Walk {
  readonly kind: WorkerKind;
  seen: Set<object> | undefined;
}

/**
 * Validates `value` for sending to a worker of `kind`; returns the value to send (a copy only
 * when shared handles had to be encoded) and whether the receiver must decode it.
 */
export function prepareValue(value: unknown, kind: WorkerKind, path: string): { value: unknown; encoded: boolean } {
  const walk: Walk = { kind, seen: undefined };
  const prepared = visit(value, path, walk);
  return { value: prepared, encoded: prepared !== value };
}

/** Same as {@link prepareValue} for an argument list; paths read `args[0]`, `args[1]`… */
export function prepareArgs(args: readonly unknown[], kind: WorkerKind): { args: unknown[]; encoded: boolean } {
  let out: unknown[] | undefined;
  const walk: Walk = { kind, seen: undefined };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const prepared = typeof arg === "object" || typeof arg === "function" || typeof arg === "symbol" ? visit(arg, `args[${i}]`, walk) : arg;
    if (prepared !== arg) {
      out ??= args.slice();
      out[i] = prepared;
    }
  }
  return out ? { args: out, encoded: true } : { args: args as unknown[], encoded: false };
}

function visit(value: unknown, path: string, walk: Walk): unknown {
  switch (typeof value) {
    case "function": {
      const name = (value as { name?: string }).name;
      throw new DataCloneError(path, `it is a function${name ? ` (${name})` : ""}; functions cannot be cloned. Send data, or reference a task by name.`);
    }
    case "symbol":
      throw new DataCloneError(path, `it is a symbol (${String(value)}); symbols cannot be cloned.`);
    case "object":
      break;
    default:
      return value;
  }
  if (value === null) return value;
  const object = value as object;
  if (isSharedHandle(object)) {
    const descriptor = object[SHARED_HANDLE]();
    if (walk.kind === "process" && !descriptor.crossesProcesses) {
      refuseSharedForProcess(path, `this ${object.constructor?.name ?? "shared object"}`);
    }
    // A handle's state may hold other handles (a Pipe's end holds two queues): encode them too.
    const state = visit(descriptor.state, `${path}<state>`, walk);
    const encoded: EncodedShared = { [ENCODED_SHARED]: state === descriptor.state ? descriptor : { ...descriptor, state } };
    return encoded;
  }
  if (ArrayBuffer.isView(object)) {
    if (walk.kind === "process" && isShared(object.buffer)) refuseSharedForProcess(path, `this ${object.constructor.name}'s buffer`);
    return value;
  }
  if (hasSharedArrayBuffer && object instanceof SharedArrayBuffer) {
    if (walk.kind === "process") refuseSharedForProcess(path, "a SharedArrayBuffer");
    return value;
  }
  walk.seen ??= new Set();
  if (walk.seen.has(object)) return value;
  walk.seen.add(object);
  if (Array.isArray(object)) {
    let out: unknown[] | undefined;
    let numbers = 0;
    let int32s = 0;
    for (let i = 0; i < object.length; i++) {
      const item = object[i];
      if (typeof item === "number") {
        numbers++;
        if ((item | 0) === item && !Object.is(item, -0)) int32s++;
      }
      if (typeof item !== "object" && typeof item !== "function" && typeof item !== "symbol") continue;
      const prepared = visit(item, `${path}[${i}]`, walk);
      if (prepared !== item) {
        out ??= object.slice();
        out[i] = prepared;
      }
    }
    // Structured clone writes each number with its own tag; a Float64Array is one copy of raw
    // bytes. Every number (NaN, -0 included) survives exactly; a hole reads as undefined, not a
    // number, so only dense arrays qualify.
    // Whole numbers go as an Int32Array so that they arrive as integers, not doubles.
    if (numbers === object.length && numbers >= PACK_NUMBERS_FROM) {
      return { [ENCODED_NUMBERS]: int32s === numbers ? Int32Array.from(object as number[]) : Float64Array.from(object as number[]) };
    }
    return out ?? value;
  }
  const proto = Object.getPrototypeOf(object);
  if (proto === Object.prototype || proto === null) {
    let out: Record<string, unknown> | undefined;
    for (const key of Object.keys(object)) {
      const item = (object as Record<string, unknown>)[key];
      if (typeof item !== "object" && typeof item !== "function" && typeof item !== "symbol") continue;
      const prepared = visit(item, `${path}.${key}`, walk);
      if (prepared !== item) {
        out ??= { ...object };
        out[key] = prepared;
      }
    }
    return out ?? value;
  }
  if (object instanceof Map) {
    let changed = false;
    const entries: [unknown, unknown][] = [];
    for (const [k, v] of object) {
      const pk = visit(k, `${path}<key>`, walk);
      const pv = visit(v, `${path}.get(${typeof k === "string" ? JSON.stringify(k) : "…"})`, walk);
      changed ||= pk !== k || pv !== v;
      entries.push([pk, pv]);
    }
    return changed ? new Map(entries) : value;
  }
  if (object instanceof Set) {
    let changed = false;
    const items: unknown[] = [];
    for (const item of object) {
      const prepared = visit(item, `${path}<item>`, walk);
      changed ||= prepared !== item;
      items.push(prepared);
    }
    return changed ? new Set(items) : value;
  }
  if (object instanceof Error) {
    // Runtimes' structured clone differ on errors (Bun drops `cause`, some drop own properties):
    // carry them in weft's own encoding, the one thrown errors use, so they arrive the same everywhere.
    return { [ENCODED_ERROR]: serializeError(object) };
  }
  if (CLONEABLE_CLASSES.some((cls) => object instanceof cls)) return value;
  const className = (proto as { constructor?: { name?: string } } | undefined)?.constructor?.name ?? "an unknown class";
  throw new DataCloneError(
    path,
    `it is an instance of ${className}; structured clone would drop its prototype, methods and private fields. ` +
      `Send plain data (an object literal, array, Map…) and rebuild the instance in the task.`,
  );
}

/** Revives what {@link prepareValue} encoded. Only called when `encoded` was true. */
export function reviveValue(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (ArrayBuffer.isView(value)) return value;
  const numbers = (value as { [ENCODED_NUMBERS]?: Float64Array | Int32Array })[ENCODED_NUMBERS];
  if (numbers) return Array.from(numbers);
  const error = (value as { [ENCODED_ERROR]?: SerializedError })[ENCODED_ERROR];
  if (error) return deserializeError(error);
  const shared = (value as Partial<EncodedShared>)[ENCODED_SHARED];
  if (shared) return reviveShared({ ...shared, state: reviveValue(shared.state) });
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveValue(value[i]);
    return value;
  }
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => [reviveValue(k), reviveValue(v)] as const);
    value.clear();
    for (const [k, v] of entries) value.set(k, v);
    return value;
  }
  if (value instanceof Set) {
    const items = [...value].map(reviveValue);
    value.clear();
    for (const item of items) value.add(item);
    return value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    for (const key of Object.keys(value)) {
      (value as Record<string, unknown>)[key] = reviveValue((value as Record<string, unknown>)[key]);
    }
  }
  return value;
}

/** Collects the transferable ArrayBuffers named by the caller, refusing shared ones (they are shared, not moved). */
export function checkTransferList(transfer: readonly Transferable[] | undefined): readonly Transferable[] | undefined {
  if (!transfer || transfer.length === 0) return undefined;
  for (const [i, item] of transfer.entries()) {
    if (hasSharedArrayBuffer && item instanceof SharedArrayBuffer) {
      throw new DataCloneError(`transfer[${i}]`, "a SharedArrayBuffer is shared, not transferred; leave it out of the transfer list.");
    }
  }
  return transfer;
}
