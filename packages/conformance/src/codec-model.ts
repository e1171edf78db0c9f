/**
 * Generated values for testing weft's codec, and the comparison that says whether a value
 * arrived exactly. Shared by the core's unit tests (tens of thousands of values, no workers)
 * and the conformance case `generated` (fewer values, through real workers on every runtime).
 *
 * The reference is structured clone: cycles and shared references stay shared, holes stay holes,
 * extra array properties and an own "__proto__" key stay, -0, NaN and BigInt stay exact. Errors
 * follow weft's documented rule, which carries more than structured clone does: name, message,
 * own enumerable properties, `cause` and AggregateError members, as the same class when it is a
 * built-in one.
 *
 * Values are generated as plain descriptions and built fresh for every use, so a test may
 * mutate what it gets (the codec revives in place) without touching fast-check's own copy.
 */
import fc from "fast-check";

/** Keys that look like codec internals (old and new), or that are Object.prototype's names. */
export const RESERVED_LOOKING_KEYS = [
  "__proto__", "__weft_error__", "__weft_numbers__", "__weft_shared__", "root", "specials", "t", "kind",
  "constructor", "toString", "valueOf", "hasOwnProperty", "then", "name", "message", "cause", "stack", "errors",
] as const;

type Primitive = undefined | null | boolean | number | bigint | string;

export type Spec =
  | { readonly k: "prim"; readonly v: Primitive }
  | { readonly k: "arr"; readonly items: readonly (Spec | "hole")[]; readonly extra: readonly (readonly [string, Spec])[] }
  | { readonly k: "obj"; readonly entries: readonly (readonly [string, Spec])[]; readonly nullProto: boolean }
  | { readonly k: "map"; readonly entries: readonly (readonly [Spec, Spec])[] }
  | { readonly k: "set"; readonly items: readonly Spec[] }
  | { readonly k: "date"; readonly time: number }
  | { readonly k: "regexp"; readonly source: string; readonly flags: string }
  | { readonly k: "typed"; readonly type: "Uint8Array" | "Int32Array" | "Float64Array" | "BigInt64Array"; readonly values: readonly number[] }
  | { readonly k: "buffer"; readonly bytes: readonly number[] }
  | {
      readonly k: "error";
      readonly type: "Error" | "TypeError" | "RangeError" | "AggregateError";
      readonly name: string | undefined;
      readonly message: string;
      readonly cause: Spec | undefined;
      readonly props: readonly (readonly [string, Spec])[];
      readonly members: readonly Spec[];
    }
  | { readonly k: "numbers"; readonly values: readonly number[]; readonly extra: readonly (readonly [string, Spec])[]; readonly hole: boolean };

/** A generated value: its description, plus links added after building (shared references and cycles). */
export interface Generated {
  readonly spec: Spec;
  /** [from container, to container, key]: container indices are taken modulo the number built. */
  readonly links: readonly (readonly [number, number, string])[];
}

const isIndex = (key: string) => /^(0|[1-9]\d*)$/.test(key);
const key = fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 6 }) }, { weight: 2, arbitrary: fc.constantFrom(...RESERVED_LOOKING_KEYS) });
const extraKey = key.filter((k) => !isIndex(k) && k !== "length");
const primitive: fc.Arbitrary<Primitive> = fc.oneof(
  fc.constant(undefined), fc.constant(null), fc.boolean(), fc.integer(), fc.double(),
  fc.constantFrom(-0, Number.NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31), 2 ** 53), fc.bigInt(),
  fc.string({ maxLength: 12 }), fc.constantFrom(...RESERVED_LOOKING_KEYS),
);
const numbers = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-0, Number.NaN));

export interface SpecOptions {
  /** Only what the fast lane's compact codec carries (primitives, arrays, plain objects). */
  readonly plainOnly?: boolean;
  readonly maxDepth?: number;
}

/** Descriptions of structured-cloneable values, including the awkward ones. */
export function specArbitrary(options: SpecOptions = {}): fc.Arbitrary<Spec> {
  const { spec } = fc.letrec<{ spec: Spec }>((tie) => {
    const child = tie("spec");
    const entries = fc.array(fc.tuple(key, child), { maxLength: 4 });
    const extras = fc.array(fc.tuple(extraKey, child), { maxLength: 2 });
    const containers: fc.Arbitrary<Spec>[] = [
      fc.record({ k: fc.constant("arr" as const), items: fc.array(fc.oneof({ weight: 4, arbitrary: child }, { weight: 1, arbitrary: fc.constant("hole" as const) }), { maxLength: 5 }), extra: extras }),
      fc.record({ k: fc.constant("obj" as const), entries, nullProto: fc.boolean() }),
    ];
    if (!options.plainOnly) {
      containers.push(
        fc.record({ k: fc.constant("map" as const), entries: fc.array(fc.tuple(child, child), { maxLength: 3 }) }),
        fc.record({ k: fc.constant("set" as const), items: fc.array(child, { maxLength: 3 }) }),
        fc.record({
          k: fc.constant("error" as const),
          type: fc.constantFrom("Error", "TypeError", "RangeError", "AggregateError"),
          name: fc.option(fc.oneof(fc.constantFrom(...RESERVED_LOOKING_KEYS, "OddError", "AbortError", "TimeoutError"), fc.string({ maxLength: 6 })), { nil: undefined }),
          message: fc.string({ maxLength: 8 }),
          cause: fc.option(child, { nil: undefined }),
          props: fc.array(fc.tuple(extraKey.filter((k) => !["name", "message", "stack", "cause", "errors"].includes(k)), child), { maxLength: 2 }),
          members: fc.array(child, { maxLength: 2 }),
        }),
      );
    }
    const leaves: fc.Arbitrary<Spec>[] = [fc.record({ k: fc.constant("prim" as const), v: primitive })];
    if (!options.plainOnly) {
      leaves.push(
        fc.record({ k: fc.constant("date" as const), time: fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.constant(Number.NaN)) }),
        fc.record({ k: fc.constant("regexp" as const), source: fc.constantFrom("a+b", "^x$", "[\\d]{2}", "(?:)"), flags: fc.constantFrom("", "g", "gi", "msu") }),
        fc.record({ k: fc.constant("typed" as const), type: fc.constantFrom("Uint8Array", "Int32Array", "Float64Array", "BigInt64Array"), values: fc.array(fc.integer({ min: -100, max: 255 }), { maxLength: 6 }) }),
        fc.record({ k: fc.constant("buffer" as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }) }),
      );
    }
    // Long number arrays: packed by the codec unless they carry extras or holes.
    leaves.push(fc.record({ k: fc.constant("numbers" as const), values: fc.array(numbers, { minLength: 256, maxLength: 300 }), extra: fc.array(fc.tuple(extraKey, child), { maxLength: 1 }), hole: fc.boolean() }));
    return {
      spec: fc.oneof({ depthSize: "small", maxDepth: options.maxDepth ?? 4, withCrossShrink: true }, ...leaves, ...containers),
    };
  });
  return spec;
}

/** Generated values with shared references and cycles added. */
export function generatedArbitrary(options: SpecOptions = {}): fc.Arbitrary<Generated> {
  return fc.record({
    spec: specArbitrary(options),
    links: fc.array(fc.tuple(fc.nat(), fc.nat(), extraKey), { maxLength: 3 }),
  });
}

function defineOwn(target: object, k: string, value: unknown): void {
  Object.defineProperty(target, k, { value, writable: true, enumerable: true, configurable: true });
}

const TYPED = { Uint8Array, Int32Array, Float64Array, BigInt64Array } as const;

/** Builds a fresh value from its description; `containers` collects the arrays, objects and maps built (for links). */
export function build(spec: Spec, containers: object[] = []): unknown {
  switch (spec.k) {
    case "prim":
      return spec.v;
    case "arr": {
      const out: unknown[] = new Array(spec.items.length);
      containers.push(out);
      spec.items.forEach((item, i) => {
        if (item !== "hole") out[i] = build(item, containers);
      });
      for (const [k, v] of spec.extra) defineOwn(out, k, build(v, containers));
      return out;
    }
    case "obj": {
      const out = spec.nullProto ? (Object.create(null) as object) : {};
      containers.push(out);
      for (const [k, v] of spec.entries) defineOwn(out, k, build(v, containers));
      return out;
    }
    case "map": {
      const out = new Map<unknown, unknown>();
      containers.push(out);
      for (const [k, v] of spec.entries) out.set(build(k, containers), build(v, containers));
      return out;
    }
    case "set":
      return new Set(spec.items.map((item) => build(item, containers)));
    case "date":
      return new Date(spec.time);
    case "regexp":
      return new RegExp(spec.source, spec.flags);
    case "typed":
      return spec.type === "BigInt64Array" ? BigInt64Array.from(spec.values.map(BigInt)) : TYPED[spec.type].from(spec.values);
    case "buffer":
      return Uint8Array.from(spec.bytes).buffer;
    case "numbers": {
      const out = spec.values.slice() as unknown[];
      if (spec.hole) delete out[1];
      for (const [k, v] of spec.extra) defineOwn(out, k, build(v, containers));
      containers.push(out);
      return out;
    }
    case "error": {
      const options = spec.cause === undefined ? undefined : { cause: build(spec.cause, containers) };
      const error = spec.type === "AggregateError"
        ? new AggregateError(spec.members.map((m) => build(m, containers)), spec.message, options)
        : new { Error, TypeError, RangeError }[spec.type](spec.message, options);
      if (spec.name !== undefined) defineOwn(error, "name", spec.name);
      for (const [k, v] of spec.props) defineOwn(error, k, build(v, containers));
      return error;
    }
  }
}

/** Builds a generated value, links included. */
export function buildGenerated(generated: Generated): unknown {
  const containers: object[] = [];
  const value = build(generated.spec, containers);
  if (containers.length > 0) {
    for (const [from, to, k] of generated.links) {
      const source = containers[from % containers.length]!;
      const target = containers[to % containers.length]!;
      if (source instanceof Map) source.set(k, target);
      else defineOwn(source, k, target);
    }
  }
  return value;
}

// ----- comparing -----------------------------------------------------------------------------

const ERROR_OWN = new Set(["name", "message", "stack", "cause", "errors"]);
const BUILTIN_ERRORS = [TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError];

function label(path: string, k: string): string {
  return /^(0|[1-9]\d*)$/.test(k) ? `${path}[${k}]` : `${path}.${k}`;
}

function show(value: unknown): string {
  try {
    if (typeof value === "bigint") return `${value}n`;
    if (typeof value === "string") return JSON.stringify(value);
    if (Object.is(value, -0)) return "-0";
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Compares what arrived (`actual`) with what was sent (`expected`) under structured clone's rules
 * (and weft's for errors). Returns undefined when they match, or where and how they differ.
 * Identity counts: one object sent twice must arrive as one object, two as two.
 */
export function differenceFrom(actual: unknown, expected: unknown, path = "value"): string | undefined {
  const forward = new Map<object, object>();
  const backward = new Map<object, object>();
  const pending: [unknown, unknown, string][] = [[actual, expected, path]];
  while (pending.length > 0) {
    const [a, e, p] = pending.pop()!;
    if (typeof e !== "object" || e === null) {
      if (typeof a !== typeof e) return `${p}: expected ${typeof e} ${show(e)}, got ${typeof a} ${show(a)}`;
      if (!Object.is(a, e)) return `${p}: expected ${show(e)}, got ${show(a)}`;
      continue;
    }
    if (typeof a !== "object" || a === null) return `${p}: expected an object, got ${typeof a} ${show(a)}`;
    const seen = forward.get(e);
    if (seen !== undefined) {
      if (seen !== a) return `${p}: a shared reference (or cycle) arrived as two objects`;
      continue;
    }
    if (backward.has(a)) return `${p}: two objects arrived as one`;
    forward.set(e, a);
    backward.set(a, e);
    const pushKeys = (keys: string[], from: Record<string, unknown>, to: Record<string, unknown>) => {
      for (const k of keys) pending.push([to[k], from[k], label(p, k)]);
    };
    if (Array.isArray(e)) {
      if (!Array.isArray(a)) return `${p}: expected an array`;
      if (a.length !== e.length) return `${p}: expected length ${e.length}, got ${a.length}`;
      const ek = Object.keys(e);
      const ak = Object.keys(a);
      if (ak.join("\u0000") !== ek.join("\u0000")) return `${p}: expected keys [${ek.join(",")}], got [${ak.join(",")}] (holes or extra properties differ)`;
      pushKeys(ek, e as unknown as Record<string, unknown>, a as unknown as Record<string, unknown>);
      continue;
    }
    if (e instanceof Error) {
      if (!(a instanceof Error)) return `${p}: expected an Error`;
      if (a.name !== e.name) return `${p}.name: expected ${show(e.name)}, got ${show(a.name)}`;
      if (a.message !== e.message) return `${p}.message: expected ${show(e.message)}, got ${show(a.message)}`;
      for (const cls of BUILTIN_ERRORS) {
        if (e instanceof cls && !(a instanceof cls)) return `${p}: expected an instance of ${cls.name}`;
      }
      const hasCause = Object.prototype.hasOwnProperty.call(e, "cause");
      if (Object.prototype.hasOwnProperty.call(a, "cause") !== hasCause) return `${p}.cause: ${hasCause ? "lost" : "appeared"}`;
      if (hasCause) pending.push([a.cause, e.cause, `${p}.cause`]);
      if (e instanceof AggregateError) {
        if (!(a instanceof AggregateError)) return `${p}: expected an AggregateError`;
        pending.push([a.errors, e.errors, `${p}.errors`]);
      }
      const ek = Object.keys(e).filter((k) => !ERROR_OWN.has(k));
      const ak = Object.keys(a).filter((k) => !ERROR_OWN.has(k));
      if (ak.join("\u0000") !== ek.join("\u0000")) return `${p}: expected properties [${ek.join(",")}], got [${ak.join(",")}]`;
      pushKeys(ek, e as unknown as Record<string, unknown>, a as unknown as Record<string, unknown>);
      continue;
    }
    if (e instanceof Map) {
      if (!(a instanceof Map) || a.size !== e.size) return `${p}: expected a Map of ${e.size}`;
      const ae = [...a];
      [...e].forEach(([k, v], i) => {
        pending.push([ae[i]![0], k, `${p}<key ${i}>`], [ae[i]![1], v, `${p}.get(${show(k)})`]);
      });
      continue;
    }
    if (e instanceof Set) {
      if (!(a instanceof Set) || a.size !== e.size) return `${p}: expected a Set of ${e.size}`;
      const ai = [...a];
      [...e].forEach((v, i) => pending.push([ai[i], v, `${p}<item ${i}>`]));
      continue;
    }
    if (e instanceof Date) {
      if (!(a instanceof Date) || !Object.is(a.getTime(), e.getTime())) return `${p}: expected the Date ${e.getTime()}`;
      continue;
    }
    if (e instanceof RegExp) {
      if (!(a instanceof RegExp) || a.source !== e.source || a.flags !== e.flags) return `${p}: expected ${String(e)}`;
      continue;
    }
    if (ArrayBuffer.isView(e) || e instanceof ArrayBuffer) {
      const name = Object.prototype.toString.call(e);
      if (Object.prototype.toString.call(a) !== name) return `${p}: expected a ${name}, got ${Object.prototype.toString.call(a)}`;
      const bytes = (v: ArrayBufferView | ArrayBuffer) => (v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      const eb = bytes(e);
      const ab = bytes(a as ArrayBuffer);
      if (eb.length !== ab.length || eb.some((b, i) => ab[i] !== b)) return `${p}: the bytes differ`;
      continue;
    }
    const proto = Object.getPrototypeOf(e) as object | null;
    if (proto === Object.prototype || proto === null) {
      if (Array.isArray(a) || Object.getPrototypeOf(a) !== Object.prototype) return `${p}: expected a plain object`;
      const ek = Object.keys(e);
      const ak = Object.keys(a);
      if (ak.join("\u0000") !== ek.join("\u0000")) return `${p}: expected keys [${ek.join(",")}], got [${ak.join(",")}]`;
      pushKeys(ek, e as Record<string, unknown>, a as Record<string, unknown>);
      continue;
    }
    return `${p}: the model does not know ${Object.prototype.toString.call(e)}`;
  }
  return undefined;
}

/** Whether a built value holds an Error anywhere (structured clone's own rules for errors differ from weft's). */
export function holdsError(value: unknown): boolean {
  return holdsObject(value, (v) => v instanceof Error);
}

/** Whether any object reachable from `value` (through containers, Maps and Sets) satisfies `test`. */
export function holdsObject(value: unknown, test: (object: object) => boolean): boolean {
  const seen = new Set<unknown>();
  const pending = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v !== "object" || v === null || seen.has(v)) continue;
    seen.add(v);
    if (test(v)) return true;
    if (v instanceof Map) for (const [k, x] of v) pending.push(k, x);
    else if (v instanceof Set) for (const x of v) pending.push(x);
    else if (!ArrayBuffer.isView(v)) for (const k of Object.keys(v)) pending.push((v as Record<string, unknown>)[k]);
  }
  return false;
}

// ----- values that must be refused --------------------------------------------------------------

/** Things structured clone cannot carry (installed as `target[key]`), each with what weft's error must say. */
export const BAD_LEAVES: readonly { readonly label: string; readonly install: (target: object, key: string) => void; readonly reason: RegExp }[] = [
  { label: "a function", install: (t, k) => defineOwn(t, k, function handler() {}), reason: /function/ },
  { label: "a symbol", install: (t, k) => defineOwn(t, k, Symbol("s")), reason: /symbol/ },
  { label: "a class instance", install: (t, k) => defineOwn(t, k, new (class Widget {})()), reason: /Widget/ },
  {
    label: "a throwing getter",
    install: (t, k) => Object.defineProperty(t, k, { get() { throw new Error("getter"); }, enumerable: true, configurable: true }),
    reason: /threw/,
  },
];

/** A value with one bad thing at a known path (no links, so the path is the only one). */
export function badArbitrary(): fc.Arbitrary<{ spec: Spec; at: number; extra: boolean; leaf: number }> {
  return fc.record({
    spec: specArbitrary({ maxDepth: 3 }),
    at: fc.nat(),
    extra: fc.boolean(),
    leaf: fc.nat({ max: BAD_LEAVES.length - 1 }),
  });
}

/** Builds a bad value: the bad leaf goes on an array (as an extra property or an element) or object; returns where. */
export function buildBad(bad: { spec: Spec; at: number; extra: boolean; leaf: number }, root = "value"): { value: unknown; path: string; reason: RegExp } {
  const paths = new Map<object, string>();
  const containers: object[] = [];
  const value = build(bad.spec, containers);
  // Record the path of each plain array/object reachable through arrays and objects only.
  const walk: [unknown, string][] = [[value, root]];
  while (walk.length > 0) {
    const [v, p] = walk.pop()!;
    if (typeof v !== "object" || v === null || paths.has(v)) continue;
    const proto = Object.getPrototypeOf(v) as object | null;
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) continue;
    paths.set(v, p);
    for (const k of Object.keys(v)) walk.push([(v as Record<string, unknown>)[k], Array.isArray(v) && /^(0|[1-9]\d*)$/.test(k) ? `${p}[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `${p}.${k}` : `${p}[${JSON.stringify(k)}]`]);
  }
  const leaf = BAD_LEAVES[bad.leaf]!;
  const targets = [...paths.keys()];
  if (targets.length === 0) {
    const holder: unknown[] = [value];
    leaf.install(holder, "1");
    return { value: holder, path: `${root}[1]`, reason: leaf.reason };
  }
  const target = targets[bad.at % targets.length]!;
  const k = Array.isArray(target) && !bad.extra ? String(target.length) : "badThing";
  leaf.install(target, k);
  const base = paths.get(target)!;
  return { value, path: /^\d+$/.test(k) ? `${base}[${k}]` : `${base}.${k}`, reason: leaf.reason };
}
