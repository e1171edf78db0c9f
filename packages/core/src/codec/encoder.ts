/**
 * The graph codec's encoder: walks a value iteratively (an explicit stack), refuses what cannot
 * cross to the worker kind with a DataCloneError that says where, and encodes what structured
 * clone cannot carry as weft needs it (see graph.ts).
 */
import { DataCloneError, errorBrand } from "../errors.js";
import type { WorkerKind } from "../worker-kind.js";
import { SHARED_HANDLE, type SharedDescriptor } from "../shared-handle.js";
import { ARRAY, BUILTIN_ERRORS, ERROR, type Envelope, type ErrorSpecial, type Frame, LEAF, MAP, MAX_DEPTH, PACK_NUMBERS_FROM, PLAIN, Refusal, SET, SHARED, type Special, type Tagged, childLabel, defineOwn, errorMessage, isFreshArray, isPackable, keysOf, newTag, packNumbers, safeString, shapeOf } from "./shapes.js";

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
        let keys = this.known.keys.get(array);
        let packable: boolean;
        if (this.copying) packable = this.known.packable.has(array);
        else {
          // Listing a long array's keys costs more than sending it: an array weft built itself
          // has no keys but its indices, so only its items are looked at.
          if (keys === undefined && isFreshArray(array)) packable = isPackable(array, undefined);
          else packable = isPackable(array, (keys ??= keysOf(array)));
          if (array.length >= PACK_NUMBERS_FROM) {
            if (keys) this.known.keys.set(array, keys);
            if (packable) this.known.packable.add(array);
          }
        }
        if (packable) {
          this.needsEncoding = true;
          if (!this.copying) return this.seen(object);
          return this.special(object, { t: "numbers", data: packNumbers(array as number[]) });
        }
        return this.push(object, ARRAY, this.copying ? new Array(array.length) : undefined, keys ?? keysOf(array), depth);
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
 * A small tree of plain objects and arrays passes a quick check instead of the encoder; it cannot
 * see a Proxy or an extra property on an array, which the transport refuses later, at the get
 * (see {@link checkCrossingExactly}).
 */
export function checkCrossing(value: unknown, kind: WorkerKind, path: string): void {
  if (typeof value !== "object" && typeof value !== "function" && typeof value !== "symbol") return;
  if (value !== null && typeof value === "object" && isSmallPlainData(value)) return;
  new Encoder({ kind, lenient: false }, path, false).run(value);
}

/** {@link checkCrossing} without the quick check: where the transport has refused and the culprit must be found. */
export function checkCrossingExactly(value: unknown, kind: WorkerKind, path: string): void {
  if (typeof value !== "object" && typeof value !== "function" && typeof value !== "symbol") return;
  new Encoder({ kind, lenient: false }, path, false).run(value);
}

/** Containers the quick check looks at before it leaves a value to the encoder. */
const QUICK_CHECK_NODES = 64;

/**
 * Whether `value` is a small tree of plain objects, arrays and primitives — what most queue items
 * are, and what crosses to any worker — checked without the encoder, which costs about ten times
 * more per item (main → Queue puts of small objects fell from 1.3–2.1M/s to 0.2M/s with it alone).
 * Anything else (another prototype, a function, a symbol, a cycle or a big tree) is the encoder's
 * to judge, so its error says where.
 */
function isSmallPlainData(value: object): boolean {
  quickCheckBudget = QUICK_CHECK_NODES;
  try {
    return isPlainContainer(value);
  } catch {
    return false; // a throwing getter: the encoder says where
  }
}

/** Containers the running quick check may still look at; module state because the check never awaits. */
let quickCheckBudget = 0;

// Recursion and for-in instead of a stack and Object.values: the check runs on every put, and
// allocating per item cost more than the check itself (it was 11% of a main → process put).
function isPlainContainer(node: object): boolean {
  if (--quickCheckBudget < 0) return false;
  const proto = Object.getPrototypeOf(node) as unknown;
  if (Array.isArray(node)) {
    if (proto !== Array.prototype) return false;
    for (let index = 0; index < node.length; index++) if (!isPlainChild(node[index])) return false;
    return true;
  }
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in node) if (!isPlainChild((node as Record<string, unknown>)[key])) return false;
  return true;
}

function isPlainChild(child: unknown): boolean {
  const type = typeof child;
  if (type === "object") return child === null || isPlainContainer(child as object);
  return type !== "function" && type !== "symbol";
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
