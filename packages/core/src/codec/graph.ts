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
 */
import { DataCloneError, errorBrand, MalformedMessageError } from "../errors.js";
import type { WorkerKind } from "../worker-kind.js";
import { isSharedHandle, reviveShared, SHARED_HANDLE, type SharedDescriptor } from "../shared-handle.js";

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
interface Tagged {
  w?: string;
  i?: number;
}

function newTag(): string {
  return `weft:${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
}

// ----- classifying --------------------------------------------------------------------------

const LEAF = 0;
const PLAIN = 1;
const ARRAY = 2;
const MAP = 3;
const SET = 4;
const ERROR = 5;
const SHARED = 6;

const CLONEABLE_CLASSES: readonly (abstract new (...args: never[]) => unknown)[] = [
  Date, RegExp, ArrayBuffer, DataView, Boolean, Number, String,
  ...(typeof Blob === "function" ? [Blob] : []),
];
const hasSharedArrayBuffer = typeof SharedArrayBuffer === "function";

type ProxyCheck = (value: unknown) => boolean;
const PROXY_CHECK = Symbol.for("weft.isProxy");
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
function findProxyCheck(): ProxyCheck | null {
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

function isProxy(value: object): boolean {
  if (proxyCheck === undefined) proxyCheck = findProxyCheck();
  return proxyCheck !== null && proxyCheck(value);
}

/** Why a value cannot cross; the walker adds where it is. */
class Refusal {
  constructor(readonly reason: string) {}
}

function refuseShared(kind: WorkerKind, what: string): void {
  if (kind === "process") {
    throw new Refusal(
      `${what} lives in shared memory, and a process shares no memory with its parent. ` +
        `Use a thread (kind: "thread") to share it, or send a copy (e.g. buffer.slice()).`,
    );
  }
}

function isSharedBuffer(buffer: ArrayBufferLike): boolean {
  return hasSharedArrayBuffer && buffer instanceof SharedArrayBuffer;
}

function shapeOf(object: object, kind: WorkerKind): number {
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

function errorMessage(thrown: unknown): string {
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
function keysOf(object: object): string[] {
  return Object.keys(object);
}

function isPackable(array: readonly unknown[], keys: readonly string[]): boolean {
  // Holes and extra properties show in the key count; a packed array carries neither.
  if (array.length < PACK_NUMBERS_FROM || keys.length !== array.length) return false;
  try {
    for (let i = 0; i < array.length; i++) if (typeof array[i] !== "number") return false;
  } catch {
    // A getter threw: the walk reads the items one by one and reports where.
    return false;
  }
  return true;
}

function packNumbers(array: readonly number[]): Int32Array | Float64Array {
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
const BUILTIN_ERRORS: readonly (readonly [string, ErrorConstructor])[] = [
  ["Error", Error], ["TypeError", TypeError], ["RangeError", RangeError], ["SyntaxError", SyntaxError],
  ["ReferenceError", ReferenceError], ["EvalError", EvalError], ["URIError", URIError],
];
const BUILTIN_BY_NAME = new Map<string, ErrorConstructor>(BUILTIN_ERRORS);

// ----- encoding -----------------------------------------------------------------------------

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** One container being walked: its children are read one by one, so that a failure knows its path. */
interface Frame {
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

function childLabel(frame: Frame, index: number): string {
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

interface EncodeOptions {
  readonly kind: WorkerKind;
  /** For thrown values: replace what cannot cross with its string form (and carry symbols) instead of refusing. */
  readonly lenient: boolean;
}

class Encoder {
  readonly stack: Frame[] = [];
  readonly memo = new Map<object, unknown>();
  readonly specials: Special[] = [];
  readonly specialIndex = new Map<object, number>();
  readonly tag = newTag();
  /** Set when a value needed a weft encoding (checking pass only). */
  needsEncoding = false;

  /**
   * @param known What the checking pass learnt about long arrays (their keys, and which it packs),
   *   so that the copying pass does not enumerate them again: that is the costly part.
   */
  constructor(
    readonly options: EncodeOptions,
    readonly rootPath: string,
    readonly copying: boolean,
    readonly known: { readonly keys: Map<object, string[]>; readonly packable: Set<object> } = { keys: new Map(), packable: new Set() },
  ) {}

  path(extra?: string): string {
    let path = this.rootPath;
    for (const frame of this.stack) path += childLabel(frame, frame.i - 1);
    return extra === undefined ? path : path + extra;
  }

  fail(reason: string): never {
    throw new DataCloneError(this.path(), reason);
  }

  /** Runs the walk from `root`; returns its copy (copying) or `root`. */
  run(root: unknown): unknown {
    const out = this.child(root, 0);
    while (this.stack.length > 0) {
      const frame = this.stack[this.stack.length - 1]!;
      if (frame.i >= frame.items.length) {
        this.stack.pop();
        continue;
      }
      const index = frame.i++;
      let value: unknown;
      try {
        value = this.read(frame, index);
      } catch (error) {
        if (this.options.lenient) value = `[reading it threw ${errorMessage(error)}]`;
        else this.fail(`reading it threw ${errorMessage(error)}.`);
      }
      // A cause that is an error is linked by index (see ErrorSpecial): it adds no nesting.
      // An error's properties sit one level further down, in its `props` object.
      const flat = frame.shape === ERROR && index === 0 && value instanceof Error;
      const copy = this.child(value, flat ? 1 : frame.depth + (frame.shape === ERROR && index >= frame.lead ? 2 : 1));
      if (this.copying) this.assign(frame, index, copy);
    }
    return out;
  }

  read(frame: Frame, index: number): unknown {
    switch (frame.shape) {
      case MAP:
      case SET:
        return frame.items[index];
      case SHARED:
        return frame.items[0];
      case ERROR:
        if (index < frame.lead) {
          const role = frame.items[index];
          return role === "cause" ? (frame.source as Error).cause : role === "errors" ? (frame.source as AggregateError).errors : undefined;
        }
        break;
    }
    return (frame.source as Record<string, unknown>)[frame.items[index] as string];
  }

  assign(frame: Frame, index: number, copy: unknown): void {
    switch (frame.shape) {
      case MAP:
        if (index % 2 === 0) frame.pendingKey = copy;
        else (frame.target as Map<unknown, unknown>).set(frame.pendingKey, copy);
        return;
      case SET:
        (frame.target as Set<unknown>).add(copy);
        return;
      case SHARED:
        (frame.target as { state: unknown }).state = copy;
        return;
      case ERROR: {
        const special = frame.target as ErrorSpecial;
        if (index < frame.lead) {
          const role = frame.items[index];
          if (role === "errors") special.errors = copy;
          else if (role !== "cause") return;
          else if (typeof copy === "object" && copy !== null && this.specialIndex.has(copy) && (copy as Special).t === "error") {
            special.causeIndex = this.specialIndex.get(copy)!;
          } else special.cause = copy;
          return;
        }
        defineOwn(special.props, frame.items[index] as string, copy);
        return;
      }
    }
    defineOwn(frame.target as object, frame.items[index] as string, copy);
  }

  /** Handles one value: a primitive is returned as is; a container gets a frame (and a copy, when copying). */
  child(value: unknown, depth: number): unknown {
    switch (typeof value) {
      case "object":
        if (value === null) return value;
        break;
      case "function":
        break;
      case "symbol":
        if (this.options.lenient) return this.special(value, { t: "symbol", description: value.description, key: Symbol.keyFor(value) });
        return this.fail(`it is a symbol (${value.toString()}); symbols cannot be cloned.`);
      default:
        return value;
    }
    const object = value as object;
    if (this.memo.has(object)) return this.memo.get(object);
    let shape: number;
    try {
      if (depth > MAX_DEPTH) {
        throw new Refusal(`it is nested more than ${MAX_DEPTH} levels deep; structured clone overflows the stack on such values. Flatten it (e.g. an array of nodes with indices).`);
      }
      shape = shapeOf(object, this.options.kind);
    } catch (error) {
      const reason = error instanceof Refusal ? error.reason : `inspecting it threw ${errorMessage(error)}.`;
      if (this.options.lenient) return safeString(value);
      return this.fail(reason);
    }
    switch (shape) {
      case LEAF:
        this.memo.set(object, object);
        return object;
      case ARRAY: {
        const array = object as unknown[];
        const keys = this.known.keys.get(array) ?? keysOf(array);
        const packable = this.copying ? this.known.packable.has(array) : isPackable(array, keys);
        if (!this.copying && array.length >= PACK_NUMBERS_FROM) {
          this.known.keys.set(array, keys);
          if (packable) this.known.packable.add(array);
        }
        if (packable) {
          this.needsEncoding = true;
          if (!this.copying) return this.seen(object);
          return this.special(object, { t: "numbers", data: packNumbers(array as number[]) });
        }
        return this.push(object, ARRAY, this.copying ? new Array(array.length) : undefined, keys, depth);
      }
      case PLAIN:
        return this.push(object, PLAIN, this.copying ? {} : undefined, keysOf(object), depth);
      case MAP: {
        const items: unknown[] = [];
        for (const [k, v] of object as Map<unknown, unknown>) items.push(k, v);
        return this.push(object, MAP, this.copying ? new Map() : undefined, items, depth);
      }
      case SET:
        return this.push(object, SET, this.copying ? new Set() : undefined, [...(object as Set<unknown>)], depth);
      case ERROR:
        this.needsEncoding = true;
        if (!this.copying) return this.seen(object);
        return this.error(object as Error, depth);
      default: {
        this.needsEncoding = true;
        if (!this.copying) return this.seen(object);
        let descriptor: SharedDescriptor;
        try {
          descriptor = (object as { [SHARED_HANDLE](): SharedDescriptor })[SHARED_HANDLE]();
        } catch (error) {
          return this.fail(`describing this shared object threw ${errorMessage(error)}.`);
        }
        if (this.options.kind === "process" && !descriptor.crossesProcesses) {
          let what = "this shared object";
          try {
            what = `this ${(object as { constructor?: { name?: string } }).constructor?.name ?? "shared object"}`;
          } catch {
            // keep the generic wording
          }
          return this.fail(`${what} lives in shared memory, and a process shares no memory with its parent. Use a thread (kind: "thread") to share it.`);
        }
        const special = this.special(object, { t: "shared", type: descriptor.type, crossesProcesses: descriptor.crossesProcesses, state: undefined });
        this.stack.push({ shape: SHARED, source: object, target: special, items: [descriptor.state], lead: 0, depth, i: 0 });
        return special;
      }
    }
  }

  seen(object: object): unknown {
    this.memo.set(object, object);
    return object;
  }

  special<S extends Special>(original: unknown, special: S): S {
    if (typeof original === "object" && original !== null) this.memo.set(original, special);
    (special as Tagged).w = this.tag;
    (special as Tagged).i = this.specials.length;
    this.specialIndex.set(special, this.specials.length);
    this.specials.push(special);
    return special;
  }

  push(object: object, shape: number, target: unknown, items: unknown[], depth: number): unknown {
    this.memo.set(object, this.copying ? target : object);
    this.stack.push({ shape, source: object, target, items, lead: 0, depth, i: 0 });
    return this.copying ? target : object;
  }

  /** Encodes an error. Its name, message and stack never fail it: a throwing getter leaves a note in its place. */
  error(error: Error, depth: number): ErrorSpecial {
    const field = (read: () => unknown, fallback: string): string => {
      try {
        const value = read();
        return typeof value === "string" ? value : safeString(value);
      } catch (thrown) {
        return `${fallback} (reading it threw ${errorMessage(thrown)})`;
      }
    };
    let stack: string | undefined;
    try {
      stack = typeof error.stack === "string" ? error.stack : undefined;
    } catch {
      stack = undefined;
    }
    let hasCause = false;
    let aggregate = false;
    let keys: string[] = [];
    try {
      hasCause = Object.prototype.hasOwnProperty.call(error, "cause");
      aggregate = error instanceof AggregateError;
      keys = keysOf(error).filter((k) => k !== "cause" && k !== "errors" && k !== "stack" && k !== "message" && k !== "name");
    } catch {
      // A hostile error: carry what could be read.
    }
    let brand: string | undefined;
    try {
      brand = errorBrand(error);
    } catch {
      brand = undefined;
    }
    let builtin = "Error";
    try {
      builtin = BUILTIN_ERRORS.find(([, cls]) => cls !== Error && error instanceof cls)?.[0] ?? "Error";
    } catch {
      // keep Error
    }
    const special = this.special(error, {
      t: "error",
      brand,
      builtin,
      name: field(() => error.name, "Error"),
      message: field(() => error.message, "[message unavailable]"),
      stack,
      aggregate,
      hasCause,
      cause: undefined,
      causeIndex: -1,
      errors: undefined,
      props: {},
    });
    // The first two children are the cause and the members; one the error lacks reads as undefined.
    const items: unknown[] = [hasCause ? "cause" : "-", aggregate ? "errors" : "-", ...keys];
    this.stack.push({ shape: ERROR, source: error, target: special, items, lead: 2, depth, i: 0 });
    return special;
  }
}

/**
 * Encodes `value` for a worker of `kind`. Returns `value` itself when it needs no encoding (the
 * transport carries it as is), or an {@link Envelope}. Throws one {@link DataCloneError} naming
 * the path (from `path`) of the first thing that cannot cross.
 */
export function encodeGraph(value: unknown, kind: WorkerKind, path: string): { value: unknown; encoded: boolean } {
  if (typeof value !== "object" && typeof value !== "function" && typeof value !== "symbol") return { value, encoded: false };
  const check = new Encoder({ kind, lenient: false }, path, false);
  check.run(value);
  if (!check.needsEncoding) return { value, encoded: false };
  const encoder = new Encoder({ kind, lenient: false }, path, true, check.known);
  const root = encoder.run(value);
  const envelope: Envelope = { root, specials: encoder.specials, w: encoder.tag };
  return { value: envelope, encoded: true };
}

/**
 * Throws the DataCloneError {@link encodeGraph} would throw for `value` (something that cannot
 * cross to a worker of `kind`), without building an encoding: what a channel checks at put time.
 */
export function checkCrossing(value: unknown, kind: WorkerKind, path: string): void {
  if (typeof value !== "object" && typeof value !== "function" && typeof value !== "symbol") return;
  new Encoder({ kind, lenient: false }, path, false).run(value);
}

/** Encodes a thrown value; never throws. What cannot cross is replaced by a string saying what it was. */
export function encodeThrown(thrown: unknown): Envelope {
  try {
    const encoder = new Encoder({ kind: "process", lenient: true }, "the thrown value", true);
    const root = encoder.run(thrown);
    return { root, specials: encoder.specials, w: encoder.tag };
  } catch (error) {
    return { root: `[the thrown value could not be encoded: ${errorMessage(error)}] ${safeString(thrown)}`, specials: [], w: "" };
  }
}

// ----- decoding -----------------------------------------------------------------------------

function malformed(what: string): never {
  throw new MalformedMessageError(`A received value could not be decoded: ${what}. It was not produced by this version of weft's codec, or it was corrupted.`);
}


type ClassLookup = (brand: string) => (abstract new (...args: never[]) => Error) | undefined;

function makeError(special: ErrorSpecial, lookup: ClassLookup): Error {
  const name = typeof special.name === "string" ? special.name : "Error";
  const message = typeof special.message === "string" ? special.message : safeString(special.message);
  let error: Error;
  const Weft = typeof special.brand === "string" ? lookup(special.brand) : undefined;
  if (Weft) {
    // Not constructed: weft errors' constructors take their own arguments (paths, exit codes).
    error = Object.create(Weft.prototype as object) as Error;
    Object.defineProperty(error, "message", { value: message, writable: true, configurable: true });
  } else if (special.aggregate) {
    error = new AggregateError([], message);
  } else {
    const Builtin = typeof special.builtin === "string" ? BUILTIN_BY_NAME.get(special.builtin) : undefined;
    error = Builtin ? new Builtin(message) : new Error(message);
  }
  if (error.name !== name) Object.defineProperty(error, "name", { value: name, writable: true, configurable: true });
  Object.defineProperty(error, "stack", { value: typeof special.stack === "string" ? special.stack : `${name}: ${message}`, writable: true, configurable: true });
  return error;
}

/** Receives an {@link Envelope}: replaces weft's encodings (found by identity) with what they stand for. */
export function decodeGraph(envelope: unknown, lookup: ClassLookup): unknown {
  if (typeof envelope !== "object" || envelope === null || !("root" in envelope) || !Array.isArray((envelope as Envelope).specials)) {
    malformed("an encoded value must be an envelope { root, specials }");
  }
  const { root, specials } = envelope as Envelope;
  const revived = new Map<object, unknown>();
  const errors: [ErrorSpecial, Error][] = [];
  const shared: Special[] = [];
  for (const special of specials) {
    if (typeof special !== "object" || special === null) malformed("an entry of its specials list is not an object");
    switch (special.t) {
      case "error": {
        const error = makeError(special, lookup);
        revived.set(special, error);
        errors.push([special, error]);
        break;
      }
      case "numbers":
        if (!(special.data instanceof Int32Array || special.data instanceof Float64Array)) malformed("a packed number array is not an Int32Array or Float64Array");
        revived.set(special, Array.from(special.data));
        break;
      case "symbol":
        revived.set(special, typeof special.key === "string" ? Symbol.for(special.key) : Symbol(typeof special.description === "string" ? special.description : undefined));
        break;
      case "shared":
        if (typeof special.type !== "string") malformed("a shared handle has no type");
        shared.push(special);
        break;
      default:
        malformed(`an entry of its specials list has the unknown tag ${safeString((special as { t?: unknown }).t)}`);
    }
  }
  const isSpecial = new Set<object>(specials);
  const tag = (envelope as Envelope).w;
  /** The special `value` is, or is a copy of (a transport that copied shared references apart); undefined for anything else. */
  const specialOf = (value: unknown): object | undefined => {
    if (typeof value !== "object" || value === null) return undefined;
    if (isSpecial.has(value)) return value;
    if (typeof tag !== "string" || tag === "" || Array.isArray(value) || ArrayBuffer.isView(value) || value instanceof Map || value instanceof Set) return undefined;
    const { w, i } = value as Tagged;
    return w === tag && typeof i === "number" ? specials[i] : undefined;
  };
  const resolve = (value: unknown): unknown => {
    const special = specialOf(value);
    return special !== undefined && revived.has(special) ? revived.get(special) : value;
  };

  // Replace every reference to an encoding, wherever it is: the root graph and the encodings' own fields.
  const visited = new Set<object>();
  const pending: object[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === "object" && value !== null && !visited.has(value)) {
      visited.add(value);
      pending.push(value);
    }
  };
  visit(root);
  for (const special of specials) visit(special);
  while (pending.length > 0) {
    const object = pending.pop()!;
    if (!isSpecial.has(object) && specialOf(object) !== undefined) continue; // a copy: its original is walked
    if (isSpecial.has(object)) {
      const special = object as Special;
      if (special.t === "error") {
        visit(special.cause);
        special.cause = resolve(special.cause);
        visit(special.errors);
        special.errors = resolve(special.errors);
        if (typeof special.props === "object" && special.props !== null) visit(special.props);
      } else if (special.t === "shared") {
        visit(special.state);
        special.state = resolve(special.state);
      }
      continue;
    }
    replaceChildren(object, resolve, visit);
  }

  // Shared handles are revived over their (now decoded) state; a handle's state may hold other handles.
  for (const special of shared.reverse()) {
    const s = special as Extract<Special, { t: "shared" }>;
    replaceAll(s.state, [], resolve);
    try {
      revived.set(s, reviveShared({ type: s.type, state: resolve(s.state), ...(s.crossesProcesses === undefined ? {} : { crossesProcesses: s.crossesProcesses }) }));
    } catch (error) {
      malformed(`reviving a shared ${s.type} threw ${errorMessage(error)}`);
    }
  }
  if (shared.length > 0) {
    // References to handles were left in place above (they had no value yet): replace them now.
    replaceAll(root, specials, resolve);
  }

  for (const [special, error] of errors) {
    if (special.hasCause) {
      const index = special.causeIndex;
      const cause = typeof index === "number" && index >= 0 ? (specials[index] ? revived.get(specials[index]!) : undefined) : resolve(special.cause);
      Object.defineProperty(error, "cause", { value: cause, writable: true, configurable: true });
    }
    if (special.aggregate) {
      const members = resolve(special.errors);
      Object.defineProperty(error, "errors", { value: members, writable: true, configurable: true });
    }
    if (typeof special.props === "object" && special.props !== null) {
      for (const key of Object.keys(special.props)) {
        const value = resolve(special.props[key]);
        Object.defineProperty(error, key, { value, writable: true, enumerable: true, configurable: true });
      }
    }
  }
  return resolve(root);
}

/** Second pass for shared handles only (rare): replaces references to their encodings. */
function replaceAll(root: unknown, specials: readonly Special[], resolve: (value: unknown) => unknown): void {
  const visited = new Set<object>();
  const pending: unknown[] = [root, ...specials];
  while (pending.length > 0) {
    const object = pending.pop();
    if (typeof object !== "object" || object === null || visited.has(object)) continue;
    visited.add(object);
    if (object instanceof Error) {
      for (const key of ["cause", "errors", ...Object.keys(object)]) {
        if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
        const item = (object as unknown as Record<string, unknown>)[key];
        pending.push(item);
        const value = resolve(item);
        if (value !== item) Object.defineProperty(object, key, { value, writable: true, enumerable: key !== "cause" && key !== "errors", configurable: true });
      }
      continue;
    }
    replaceChildren(object, resolve, (child) => pending.push(child));
  }
}

/** Replaces, in one container (Map, Set, array or plain object), each child `resolve` maps to something else; hands every child to `onChild`. */
function replaceChildren(object: object, resolve: (value: unknown) => unknown, onChild: (child: unknown) => void): void {
  if (ArrayBuffer.isView(object)) return;
  if (object instanceof Map) {
    const entries = [...object];
    if (entries.some(([k, v]) => resolve(k) !== k || resolve(v) !== v)) {
      object.clear();
      for (const [k, v] of entries) object.set(resolve(k), resolve(v));
    }
    for (const [k, v] of entries) {
      onChild(k);
      onChild(v);
    }
    return;
  }
  if (object instanceof Set) {
    const items = [...object];
    if (items.some((item) => resolve(item) !== item)) {
      object.clear();
      for (const item of items) object.add(resolve(item));
    }
    for (const item of items) onChild(item);
    return;
  }
  const proto = Object.getPrototypeOf(object) as object | null;
  if (!Array.isArray(object) && proto !== Object.prototype && proto !== null) return;
  const record = object as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (typeof item !== "object" || item === null) continue;
    onChild(item);
    const value = resolve(item);
    if (value !== item) record[key] = value;
  }
}
