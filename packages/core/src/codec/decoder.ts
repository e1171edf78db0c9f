/**
 * The graph codec's decoder: receives an Envelope and replaces weft's encodings, found by
 * identity in its `specials` list, with what they stand for (see graph.ts).
 */
import { MalformedMessageError } from "../errors.js";
import { reviveShared } from "../shared-handle.js";
import { BUILTIN_BY_NAME, type Envelope, type ErrorSpecial, type Special, type Tagged, errorMessage, safeString } from "./shapes.js";

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
        revived.set(special, unpackNumbers(special.data));
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

/** A packed number array as a plain one (a loop: Array.from on a typed array is several times slower). */
function unpackNumbers(data: Int32Array | Float64Array): number[] {
  const out = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]!;
  return out;
}
