/**
 * Values as they travel through Redis. BullMQ stores job data and return values as JSON, which
 * would silently turn a Map into {}, a Date into a string and drop undefined; this codec writes
 * the values a local pool carries (structured-clone types) as JSON with tagged nodes, and refuses
 * what cannot cross (functions, symbols, cycles) with a DataCloneError naming the path.
 */
import { DataCloneError } from "@weft/core";
import { deserializeError, serializeError, type SerializedError } from "@weft/core/transport";

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

/** Encodes `value` into JSON-safe data. `path` names the value in errors (e.g. `args[1].when`). */
export function encodeValue(value: unknown, path = "value", seen = new Set<object>()): Json {
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
  if (seen.has(object)) throw new DataCloneError(path, "a value that refers to itself (a cycle) cannot cross the queue as JSON");
  seen.add(object);
  try {
    return encodeObject(object, path, seen);
  } finally {
    seen.delete(object);
  }
}

function encodeObject(object: object, path: string, seen: Set<object>): Json {
  if (Array.isArray(object)) {
    const out: Json[] = [];
    for (let i = 0; i < object.length; i++) out.push(encodeValue(object[i], `${path}[${i}]`, seen));
    return out;
  }
  if (object instanceof Date) return tagged("date", object.getTime());
  if (object instanceof RegExp) return tagged("regexp", [object.source, object.flags]);
  if (object instanceof Map) {
    return tagged("map", [...object].map(([k, v], i) => [encodeValue(k, `${path}.key(${i})`, seen), encodeValue(v, `${path}.get(${i})`, seen)]));
  }
  if (object instanceof Set) return tagged("set", [...object].map((v, i) => encodeValue(v, `${path}.item(${i})`, seen)));
  if (object instanceof Error) return tagged("error", encodeValue(serializeError(object), `${path}(error)`, seen));
  if (typeof SharedArrayBuffer !== "undefined" && object instanceof SharedArrayBuffer) {
    throw new DataCloneError(path, "a SharedArrayBuffer cannot be shared with another machine; send a copy (new Uint8Array(buffer).slice())");
  }
  if (object instanceof ArrayBuffer) return tagged("arraybuffer", toBase64(new Uint8Array(object)));
  if (ArrayBuffer.isView(object)) {
    const name = object.constructor.name as TypedArrayName | "DataView";
    const bytes = new Uint8Array(object.buffer, object.byteOffset, object.byteLength);
    if (name === "DataView" || name in TYPED_ARRAYS) return tagged(name.toLowerCase(), toBase64(bytes));
    throw new DataCloneError(path, `a ${name} cannot cross the queue`);
  }
  const prototype = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null && !isPlainData(object)) {
    throw new DataCloneError(path, `an instance of ${prototype?.constructor?.name ?? "a class"} cannot cross the queue; send plain data`);
  }
  const out: { [key: string]: Json } = {};
  for (const key of Object.keys(object)) setOwn(out, key, encodeValue((object as Record<string, unknown>)[key], `${path}.${key}`, seen));
  return TAG in out ? tagged("object", out) : out;
}

/** Class instances cross as their own enumerable data, as structuredClone does, unless they hold behaviour-only state. */
function isPlainData(object: object): boolean {
  return !(object instanceof Promise) && !(object instanceof WeakMap) && !(object instanceof WeakSet) && typeof (object as { then?: unknown }).then !== "function";
}

/** Rebuilds a value written by {@link encodeValue}. */
export function decodeValue(data: unknown): unknown {
  if (data === null || typeof data !== "object") return data;
  if (Array.isArray(data)) return data.map(decodeValue);
  const record = data as Record<string, unknown>;
  const tag = record[TAG];
  if (typeof tag !== "string") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record)) setOwn(out, key, decodeValue(record[key]));
    return out;
  }
  const v = record.v;
  switch (tag) {
    case "undefined":
      return undefined;
    case "bigint":
      return BigInt(v as string);
    case "number":
      return Number(v);
    case "date":
      return new Date(v as number);
    case "regexp":
      return new RegExp((v as string[])[0]!, (v as string[])[1]);
    case "map":
      return new Map((v as unknown[][]).map(([k, x]) => [decodeValue(k), decodeValue(x)]));
    case "set":
      return new Set((v as unknown[]).map(decodeValue));
    case "error":
      return deserializeError(decodeValue(v) as SerializedError);
    case "object": {
      const out: Record<string, unknown> = {};
      const inner = v as Record<string, unknown>;
      for (const key of Object.keys(inner)) setOwn(out, key, decodeValue(inner[key]));
      return out;
    }
    case "arraybuffer":
      return fromBase64(v as string).buffer;
    case "dataview": {
      const bytes = fromBase64(v as string);
      return new DataView(bytes.buffer);
    }
  }
  const typed = Object.entries(TYPED_ARRAYS).find(([name]) => name.toLowerCase() === tag);
  if (typed) {
    const bytes = fromBase64(v as string);
    const Ctor = typed[1];
    return new Ctor(bytes.buffer as ArrayBuffer, 0, bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
  }
  throw new DataCloneError("value", `unknown encoded type "${tag}" (a newer @weft/cluster wrote it?)`);
}
