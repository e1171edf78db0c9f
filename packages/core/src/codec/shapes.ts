/**
 * The graph codec's shared ground: the wire shapes (Envelope, specials), the limits, and the
 * checks both directions use (what a value is, what may cross to a kind of worker). The codec
 * itself is encoder.ts and decoder.ts; graph.ts is its one entry.
 */
import type { WorkerKind } from "../worker-kind.js";
import { isSharedHandle } from "../shared-handle.js";
/** Nesting depth above which a value is refused (V8's structured clone overflows near 1,900 nested objects). */
export const MAX_DEPTH = 1000;
/** Arrays of numbers at least this long travel as one typed array (raw bytes), not item by item. */
export const PACK_NUMBERS_FROM = 256;

/** An encoded error. `causeIndex` links a cause that is itself an error by its place in `specials`, so that long cause chains add no nesting. */
export interface ErrorSpecial {
  readonly t: "error";
  /** The brand id of a weft error class, so that it comes back as that class. */
  readonly brand: string | undefined;
  /** The built-in class it is an instance of (TypeError…, else Error): its class, whatever its name says. */
  readonly builtin: string;
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly aggregate: boolean;
  readonly hasCause: boolean;
  cause: unknown;
  causeIndex: number;
  errors: unknown;
  readonly props: Record<string, unknown>;
}
export type Special =
  | ErrorSpecial
  | { readonly t: "numbers"; readonly data: Int32Array | Float64Array }
  | { readonly t: "shared"; readonly type: string; readonly crossesProcesses: boolean | undefined; state: unknown }
  | { readonly t: "symbol"; readonly description: string | undefined; readonly key: string | undefined };

/** What crosses when a value needed encoding. */
export interface Envelope {
  readonly root: unknown;
  readonly specials: readonly Special[];
  /**
   * A random tag, also written into each special with its index (`w`, `i`). Transports that keep
   * identity never need it; one that copies shared references apart (a JSON queue) still lets the
   * receiver recognise the copies of an encoding, and no user object can hold a tag made after it.
   */
  readonly w: string;
}

/** The tag and index every special carries (see {@link Envelope.w}). */
export interface Tagged {
  w?: string;
  i?: number;
}

export function newTag(): string {
  return `weft:${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
}

// ----- classifying --------------------------------------------------------------------------

export const LEAF = 0;
export const PLAIN = 1;
export const ARRAY = 2;
export const MAP = 3;
export const SET = 4;
export const ERROR = 5;
export const SHARED = 6;

export const CLONEABLE_CLASSES: readonly (abstract new (...args: never[]) => unknown)[] = [
  Date, RegExp, ArrayBuffer, DataView, Boolean, Number, String,
  ...(typeof Blob === "function" ? [Blob] : []),
];
export const hasSharedArrayBuffer = typeof SharedArrayBuffer === "function";

export type ProxyCheck = (value: unknown) => boolean;
export const PROXY_CHECK = Symbol.for("weft.isProxy");
let proxyCheck: ProxyCheck | null | undefined;

/**
 * How this runtime tells a Proxy from the object it wraps. JavaScript itself cannot; Node, Bun and
 * Deno offer node:util's `types.isProxy`, reached through `process.getBuiltinModule`
 * (feature-detected, so the core still imports nothing). An adapter may install its own check at
 * `globalThis[Symbol.for("weft.isProxy")]`. Where there is none, a Proxy is refused by the
 * transport itself (postMessage, the V8 serializer) rather than up front:
 * - in a browser, which has no such check;
 * - inside a Deno worker, where loading Deno's Node compatibility layer costs about 200 ms per
 *   worker start (Deno's host, which loads it once, still checks every argument).
 */
export function findProxyCheck(): ProxyCheck | null {
  const installed = (globalThis as Record<symbol, unknown>)[PROXY_CHECK];
  if (typeof installed === "function") return installed as ProxyCheck;
  const inDenoWorker = typeof (globalThis as { Deno?: unknown }).Deno === "object" && (globalThis as Record<symbol, unknown>)[Symbol.for("weft.inWorker")] === true;
  if (inDenoWorker) return null;
  try {
    const host = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const types = host?.getBuiltinModule?.("node:util/types") as { isProxy?: ProxyCheck } | undefined;
    if (typeof types?.isProxy === "function") return types.isProxy;
  } catch {
    // Not a server runtime.
  }
  return null;
}

export function isProxy(value: object): boolean {
  if (proxyCheck === undefined) proxyCheck = findProxyCheck();
  return proxyCheck !== null && proxyCheck(value);
}

/** Why a value cannot cross; the walker adds where it is. */
export class Refusal {
  constructor(readonly reason: string) {}
}

export function refuseShared(kind: WorkerKind, what: string): void {
  if (kind === "process") {
    throw new Refusal(
      `${what} lives in shared memory, and a process shares no memory with its parent. ` +
        `Use a thread (kind: "thread") to share it, or send a copy (e.g. buffer.slice()).`,
    );
  }
}

export function isSharedBuffer(buffer: ArrayBufferLike): boolean {
  return hasSharedArrayBuffer && buffer instanceof SharedArrayBuffer;
}

export function shapeOf(object: object, kind: WorkerKind): number {
  if (isProxy(object)) {
    throw new Refusal("it is a Proxy; structured clone cannot copy a Proxy. Send the plain data it stands for.");
  }
  if (typeof object === "function") {
    const name = (object as { name?: unknown }).name;
    throw new Refusal(`it is a function${typeof name === "string" && name ? ` (${name})` : ""}; functions cannot be cloned. Send data, or reference a task by name.`);
  }
  if (Array.isArray(object)) return ARRAY;
  if (ArrayBuffer.isView(object)) {
    if (isSharedBuffer(object.buffer)) refuseShared(kind, `this ${object.constructor?.name ?? "view"}'s buffer`);
    return LEAF;
  }
  if (hasSharedArrayBuffer && object instanceof SharedArrayBuffer) {
    refuseShared(kind, "a SharedArrayBuffer");
    return LEAF;
  }
  if (isSharedHandle(object)) return SHARED;
  const proto = Object.getPrototypeOf(object) as object | null;
  if (proto === Object.prototype || proto === null) return PLAIN;
  if (object instanceof Map) return MAP;
  if (object instanceof Set) return SET;
  if (object instanceof Error) return ERROR;
  if (CLONEABLE_CLASSES.some((cls) => object instanceof cls)) return LEAF;
  let className = "an unknown class";
  try {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === "string" && name) className = name;
  } catch {
    // A hostile prototype: keep the generic wording.
  }
  throw new Refusal(
    `it is an instance of ${className}; structured clone would drop its prototype, methods and private fields. ` +
      `Send plain data (an object literal, array, Map…) and rebuild the instance in the task.`,
  );
}

/** A string that never throws, whatever `value` is. */
export function safeString(value: unknown): string {
  try {
    return typeof value === "symbol" ? value.toString() : String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return "[a value that cannot be printed]";
    }
  }
}

export function errorMessage(thrown: unknown): string {
  if (thrown instanceof Error) {
    try {
      return `${safeString(thrown.name)}: ${safeString(thrown.message)}`;
    } catch {
      return "an error";
    }
  }
  return safeString(thrown);
}

/** Own enumerable string keys, the ones structured clone carries. */
export function keysOf(object: object): string[] {
  return Object.keys(object);
}

/** Arrays weft built itself (a map's chunks and results): only index properties, so their keys need no listing. */
const freshArrays = new WeakSet<readonly unknown[]>();

/** Marks an array that weft built and that no caller has seen yet: it has no properties but its indices. */
export function markFreshArray<T extends readonly unknown[]>(array: T): T {
  freshArrays.add(array);
  return array;
}

export function isFreshArray(array: readonly unknown[]): boolean {
  return freshArrays.has(array);
}

/**
 * Whether a long array travels packed as numbers. `keys` are its own keys, or undefined for a
 * fresh array (only indices): a hole fails the number check on its own.
 */
export function isPackable(array: readonly unknown[], keys: readonly string[] | undefined): boolean {
  // Holes and extra properties show in the key count; a packed array carries neither.
  if (array.length < PACK_NUMBERS_FROM || (keys !== undefined && keys.length !== array.length)) return false;
  try {
    for (let i = 0; i < array.length; i++) if (typeof array[i] !== "number") return false;
  } catch {
    // A getter threw: the walk reads the items one by one and reports where.
    return false;
  }
  return true;
}

export function packNumbers(array: readonly number[]): Int32Array | Float64Array {
  for (let i = 0; i < array.length; i++) {
    const n = array[i]!;
    if ((n | 0) !== n || Object.is(n, -0)) return Float64Array.from(array);
  }
  // Whole numbers go as an Int32Array so that they arrive as integers, not doubles.
  return Int32Array.from(array);
}

/** Defines an own data property; unlike `target[key] = value`, a "__proto__" key stays a key. */
export function defineOwn(target: object, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else (target as Record<string, unknown>)[key] = value;
}

/** Built-in error classes by name; a Map, so no name can reach Object.prototype. */
export const BUILTIN_ERRORS: readonly (readonly [string, ErrorConstructor])[] = [
  ["Error", Error], ["TypeError", TypeError], ["RangeError", RangeError], ["SyntaxError", SyntaxError],
  ["ReferenceError", ReferenceError], ["EvalError", EvalError], ["URIError", URIError],
];
export const BUILTIN_BY_NAME = new Map<string, ErrorConstructor>(BUILTIN_ERRORS);

// ----- encoding -----------------------------------------------------------------------------

export const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** One container being walked: its children are read one by one, so that a failure knows its path. */
export interface Frame {
  readonly shape: number;
  readonly source: object;
  /** The copy (or the ErrorSpecial) being filled; undefined while only checking. */
  readonly target: unknown;
  /** Object/array/error-property keys, or the children themselves for Map (key, value, key…) and Set. */
  readonly items: readonly unknown[];
  /** Leading children of an error frame that are not properties: cause, errors. */
  readonly lead: number;
  readonly depth: number;
  i: number;
  pendingKey?: unknown;
}

export function childLabel(frame: Frame, index: number): string {
  switch (frame.shape) {
    case MAP: {
      if (index % 2 === 0) return `<key ${index / 2}>`;
      const key = frame.items[index - 1];
      return `.get(${typeof key === "string" ? JSON.stringify(key) : typeof key === "number" ? String(key) : "…"})`;
    }
    case SET:
      return `<item ${index}>`;
    case SHARED:
      return "<state>";
    case ERROR:
      if (index === 0) return ".cause";
      if (index === 1) return ".errors";
      break;
    case ARRAY: {
      const key = frame.items[index] as string;
      if (/^(0|[1-9]\d*)$/.test(key)) return `[${key}]`;
      break;
    }
  }
  const key = frame.items[index] as string;
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
