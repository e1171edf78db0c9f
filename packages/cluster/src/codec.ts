/**
 * Values as they travel through Redis. BullMQ stores job data and return values as JSON, which
 * would silently turn a Map into {}, a Date into a string and drop undefined; this codec writes
 * the values a local pool carries as JSON with tagged nodes, as structured clone carries them to
 * a process worker: shared references and cycles stay shared (a repeated object is a reference to
 * its first place), holes and extra properties of arrays stay. It refuses what a local pool
 * refuses (functions, symbols, class instances, a Proxy, shared memory) with a DataCloneError
 * naming the path.
 */
import { types } from "node:util";
import { DataCloneError } from "@weft/core";
import { deserializeError, serializeError, type SerializedError } from "@weft/core/transport";

/** How weft's shared-memory objects and channel handles mark themselves (see @weft/core's shared handles). */
const SHARED_HANDLE = Symbol.for("weft.sharedHandle");

/** The tag key of an encoded node; a plain object that has it is wrapped so it is never mistaken for one. */
const TAG = "$weft";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const TYPED_ARRAYS = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Sets an own property, as structured clone and JSON.parse do: an own "__proto__" key assigned
 * with `=` would replace the object's prototype instead, and the key would be lost.
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function tagged(type: string, value?: Json): Json {
  return value === undefined ? { [TAG]: type } : { [TAG]: type, v: value };
}

/** Encodes `value` into JSON-safe data. `path` names the value in errors (e.g. `args[1].when`); `ids` numbers the objects met so far, in the order the decoder meets them. */
export function encodeValue(value: unknown, path = "value", ids = new Map<object, number>()): Json {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "undefined":
      return tagged("undefined");
    case "bigint":
      return tagged("bigint", value.toString());
    case "number":
      if (Number.isNaN(value)) return tagged("number", "NaN");
      if (value === Infinity) return tagged("number", "Infinity");
      if (value === -Infinity) return tagged("number", "-Infinity");
      if (Object.is(value, -0)) return tagged("number", "-0");
      return value;
    case "function":
      throw new DataCloneError(path, "a function cannot cross the queue; export it from the task module and call it by name");
    case "symbol":
      throw new DataCloneError(path, "a symbol cannot cross the queue");
  }
  if (value === null) return null;
  const object = value as object;
  const id = ids.get(object);
  if (id !== undefined) return tagged("ref", id);
  if (types.isProxy(object)) throw new DataCloneError(path, "a Proxy cannot cross the queue (it would arrive as its target's data, without its handler); send plain data");
  ids.set(object, ids.size);
  return encodeObject(object, path, ids);
}

function encodeObject(object: object, path: string, seen: Map<object, number>): Json {
  if (Array.isArray(object)) {
    const keys = Object.keys(object);
    // Indices come first, in order: n keys ending with the last index are exactly the indices.
    if (keys.length === object.length && (keys.length === 0 || keys[keys.length - 1] === String(keys.length - 1)) && Object.getPrototypeOf(object) === Array.prototype) {
      const out: Json[] = [];
      for (let i = 0; i < object.length; i++) out.push(encodeValue(object[i], `${path}[${i}]`, seen));
      return out;
    }
    // Holes or extra properties: every own key in order (indices first), with the length.
    return tagged("array", { n: object.length, e: keys.map((key) => [key, encodeValue((object as unknown as Record<string, unknown>)[key], /^\d+$/.test(key) ? `${path}[${key}]` : `${path}.${key}`, seen)]) });
  }
  if (object instanceof Date) return tagged("date", encodeValue(object.getTime()));
  if (object instanceof RegExp) return tagged("regexp", [object.source, object.flags]);
  if (object instanceof Map) {
    return tagged("map", [...object].map(([k, v], i) => [encodeValue(k, `${path}.key(${i})`, seen), encodeValue(v, `${path}.get(${i})`, seen)]));
  }
  if (object instanceof Set) return tagged("set", [...object].map((v, i) => encodeValue(v, `${path}.item(${i})`, seen)));
  if (object instanceof Error) return encodeError(object, path, seen);
  if (typeof SharedArrayBuffer !== "undefined" && object instanceof SharedArrayBuffer) {
    throw new DataCloneError(path, "a SharedArrayBuffer cannot be shared with another machine; send a copy (new Uint8Array(buffer).slice())");
  }
  if (object instanceof ArrayBuffer) return tagged("arraybuffer", toBase64(new Uint8Array(object)));
  if (ArrayBuffer.isView(object)) {
    if (typeof SharedArrayBuffer !== "undefined" && object.buffer instanceof SharedArrayBuffer) {
      throw new DataCloneError(path, "a view of a SharedArrayBuffer cannot be shared with another machine; send a copy (its .slice())");
    }
    const name = object.constructor.name as TypedArrayName | "DataView";
    const bytes = new Uint8Array(object.buffer, object.byteOffset, object.byteLength);
    if (name === "DataView" || name in TYPED_ARRAYS) return tagged(name.toLowerCase(), toBase64(bytes));
    throw new DataCloneError(path, `a ${name} cannot cross the queue`);
  }
  if (SHARED_HANDLE in object) {
    throw new DataCloneError(path, "it lives in this process's memory (a Lock, Event, Value, Queue, Manager proxy…) and cannot be shared with another machine; send its value, or use Redis for what the machines share");
  }
  const prototype = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    // As a local pool refuses it: structured clone would keep only its own data, silently.
    throw new DataCloneError(path, `it is an instance of ${prototype?.constructor?.name ?? "a class"}; it would arrive without its prototype, methods and private fields. Send plain data (an object literal, array, Map…) and rebuild the instance in the task.`);
  }
  const out: { [key: string]: Json } = {};
  for (const key of Object.keys(object)) setOwn(out, key, encodeValue((object as Record<string, unknown>)[key], `${path}.${key}`, seen));
  return TAG in out ? tagged("object", out) : out;
}

/** Own keys of an error that weft's error encoding carries as its name, message, stack, cause and members, not as properties. */
const ERROR_FIELDS = ["cause", "errors", "stack", "message", "name"];

/**
 * An error as a value: the error itself (class, name, message, stack) in weft's own error
 * encoding, as a local pool carries it; its cause, members and own properties as values of this
 * codec, so that what they share with the rest of the value stays shared, cycles included.
 */
function encodeError(error: Error, path: string, ids: Map<object, number>): Json {
  // An object whose prototype is the error reads as the error (class, brand, name, message, stack,
  // a throwing getter too) but has no own cause or properties: weft's encoding of it is the shape.
  const shape = encodeValue(serializeError(Object.create(error)), `${path}(error)`);
  let hasCause = false;
  let aggregate = false;
  let keys: string[] = [];
  try {
    hasCause = Object.prototype.hasOwnProperty.call(error, "cause");
    aggregate = error instanceof AggregateError;
    keys = Object.keys(error).filter((key) => !ERROR_FIELDS.includes(key));
  } catch {
    // A hostile error: the shape carries what could be read.
  }
  const read = (key: string) => {
    try {
      return (error as unknown as Record<string, unknown>)[key];
    } catch (thrown) {
      return `(reading it threw ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)})`;
    }
  };
  const parts: { [key: string]: Json } = { s: shape };
  if (hasCause) parts.c = encodeValue(read("cause"), `${path}.cause`, ids);
  if (aggregate) parts.e = encodeValue(read("errors"), `${path}.errors`, ids);
  parts.p = keys.map((key) => [key, encodeValue(read(key), `${path}.${key}`, ids)]);
  return tagged("err", parts);
}

/** Rebuilds a value written by {@link encodeValue}. `built` holds the objects rebuilt so far, in the encoder's order (references point into it). */
export function decodeValue(data: unknown, built: unknown[] = []): unknown {
  if (data === null || typeof data !== "object") return data;
  const decode = (inner: unknown) => decodeValue(inner, built);
  if (Array.isArray(data)) {
    const out: unknown[] = [];
    built.push(out);
    for (const item of data) out.push(decode(item));
    return out;
  }
  const record = data as Record<string, unknown>;
  const tag = record[TAG];
  if (typeof tag !== "string") {
    const out: Record<string, unknown> = {};
    built.push(out);
    for (const key of Object.keys(record)) setOwn(out, key, decode(record[key]));
    return out;
  }
  const v = record.v;
  const leaf = <T>(made: T): T => {
    built.push(made);
    return made;
  };
  switch (tag) {
    case "undefined":
      return undefined;
    case "bigint":
      return BigInt(v as string);
    case "number":
      return Number(v);
    case "ref":
      return built[v as number];
    case "date":
      return leaf(new Date(decodeValue(v) as number));
    case "regexp":
      return leaf(new RegExp((v as string[])[0]!, (v as string[])[1]));
    case "map": {
      const out = leaf(new Map());
      for (const [k, x] of v as unknown[][]) out.set(decode(k), decode(x));
      return out;
    }
    case "set": {
      const out = leaf(new Set());
      for (const x of v as unknown[]) out.add(decode(x));
      return out;
    }
    case "array": {
      const { n, e } = v as { n: number; e: [string, unknown][] };
      const out = leaf(new Array(n)) as unknown as Record<string, unknown>;
      for (const [key, x] of e) setOwn(out, key, decode(x));
      return out;
    }
    case "err": {
      // Rebuilt from its shape before its parts, as the encoder numbered it: a cause that is the error itself finds it.
      const { s: shape, c: cause, e: members, p: props } = v as { s: unknown; c?: unknown; e?: unknown; p: [string, unknown][] };
      const error = leaf(deserializeError(decodeValue(shape) as SerializedError) as object);
      const define = (key: string, value: unknown, enumerable: boolean) => Object.defineProperty(error, key, { value, writable: true, enumerable, configurable: true });
      if ("c" in (v as object)) define("cause", decode(cause), false);
      if ("e" in (v as object)) define("errors", decode(members), false);
      for (const [key, x] of props) define(key, decode(x), true);
      return error;
    }
    case "error": // as an earlier version wrote it: weft's error encoding whole
      return leaf(deserializeError(decodeValue(v) as SerializedError));
    case "object": {
      const out = leaf({} as Record<string, unknown>);
      const inner = v as Record<string, unknown>;
      for (const key of Object.keys(inner)) setOwn(out, key, decode(inner[key]));
      return out;
    }
    case "arraybuffer":
      return leaf(fromBase64(v as string).buffer);
    case "dataview": {
      const bytes = fromBase64(v as string);
      return leaf(new DataView(bytes.buffer));
    }
  }
  const typed = Object.entries(TYPED_ARRAYS).find(([name]) => name.toLowerCase() === tag);
  if (typed) {
    const bytes = fromBase64(v as string);
    const Ctor = typed[1];
    return leaf(new Ctor(bytes.buffer as ArrayBuffer, 0, bytes.byteLength / Ctor.BYTES_PER_ELEMENT));
  }
  throw new DataCloneError("value", `unknown encoded type "${tag}" (a newer @weft/cluster wrote it?)`);
}
