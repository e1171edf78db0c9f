// The value codec on its own (no Redis): what a job's arguments and result become in BullMQ's
// JSON, and back. Inputs generated with fast-check.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { decodeValue, encodeValue } from "../src/codec.js";
import { parseWorkerArgs, UsageError } from "../src/cli-args.js";

/** Through JSON text, as BullMQ stores it. */
const roundTrip = (value: unknown) => decodeValue(JSON.parse(JSON.stringify(encodeValue(value))));

describe("codec", () => {
  test("any structured value survives the trip through JSON", () => {
    const leaf = fc.oneof(
      fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.double(), fc.bigInt(),
      fc.date({ noInvalidDate: true }), fc.uint8Array(), fc.float64Array(), fc.int32Array(),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, leaf, tie("array"), tie("object"), tie("map"), tie("set")),
      array: fc.array(tie("node"), { maxLength: 4 }),
      object: fc.dictionary(fc.string(), tie("node"), { maxKeys: 4 }),
      map: fc.array(fc.tuple(fc.oneof(fc.string(), fc.integer()), tie("node")), { maxLength: 3 }).map((entries) => new Map(entries)),
      set: fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 4 }).map((items) => new Set(items)),
    })).node;
    fc.assert(fc.property(value, (v) => {
      expect(roundTrip(v)).toEqual(v);
    }), { numRuns: 300 });
  });

  test("numbers JSON cannot hold, and keys that look like the codec's tag", () => {
    const back = roundTrip({ nan: NaN, inf: Infinity, ninf: -Infinity, negZero: -0, $weft: "plain", nested: { $weft: 1 } }) as Record<string, unknown>;
    expect(back.nan).toBeNaN();
    expect(back.inf).toBe(Infinity);
    expect(back.ninf).toBe(-Infinity);
    expect(Object.is(back.negZero, -0)).toBe(true);
    expect(back.$weft).toBe("plain");
    expect(back.nested).toEqual({ $weft: 1 });
  });

  test('an own "__proto__" key stays an own key, at any depth (it never becomes a prototype)', () => {
    const value = JSON.parse('{"__proto__": {"a": 1}, "inner": {"__proto__": [2]}}') as Record<string, unknown>;
    value.set = Object.defineProperty({}, "__proto__", { value: new Set([3]), enumerable: true, writable: true, configurable: true });
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(value)))) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back, "__proto__")?.value).toEqual({ a: 1 });
    expect(Object.getOwnPropertyDescriptor(back.inner as object, "__proto__")?.value).toEqual([2]);
    expect(Object.getOwnPropertyDescriptor(back.set as object, "__proto__")?.value).toEqual(new Set([3]));
  });

  test("what cannot cross is a DataCloneError naming the path", () => {
    expect(() => encodeValue([1, { f: () => 1 }], "args")).toThrow(/args\[1\]\.f/);
    expect(() => encodeValue(Symbol("s"))).toThrow(/symbol/);
    expect(() => encodeValue(new SharedArrayBuffer(2))).toThrow(/SharedArrayBuffer/);
    expect(() => encodeValue({ view: new Int32Array(new SharedArrayBuffer(8)) }, "args")).toThrow(/args\.view.*SharedArrayBuffer/);
    expect(() => encodeValue({ p: new Proxy({}, {}) }, "args")).toThrow(/args\.p.*Proxy/);
    expect(() => encodeValue([new (class Point { x = 1; })()], "args")).toThrow(/args\[0\].*instance of Point/);
    const list: unknown[] & { handler?: unknown } = [1];
    list.handler = () => 0;
    expect(() => encodeValue(list, "args")).toThrow(/args\.handler.*function/);
  });

  test("cycles, shared references, holes and extra array properties arrive as structured clone delivers them", () => {
    const shared = { n: 1 };
    const cycle: unknown[] & { self?: unknown; extra?: unknown } = [shared, shared];
    cycle.push(cycle);
    cycle.self = cycle;
    cycle.extra = new Map([[shared, new Set([cycle])]]);
    delete cycle[1];
    const back = roundTrip({ cycle, again: shared }) as { cycle: typeof cycle; again: unknown };
    expect(back.cycle[2]).toBe(back.cycle);
    expect(back.cycle.self).toBe(back.cycle);
    expect(1 in back.cycle).toBe(false);
    expect(back.cycle[0]).toBe(back.again);
    const [key, set] = [...(back.cycle.extra as Map<unknown, Set<unknown>>)][0]!;
    expect(key).toBe(back.again);
    expect([...set!][0]).toBe(back.cycle);
    expect(Object.keys(back.cycle)).toEqual(["0", "2", "self", "extra"]);
  });
});

describe("weft-cluster worker arguments", () => {
  test("modules by base name or name=path; every flag parsed", () => {
    const options = parseWorkerArgs(["--module", "./lib/tasks.js", "--module", "io=./x/other.mjs", "--redis", "redis://h:1", "--kind", "process", "--size", "4", "--grace", "500", "--worker-options", '{"env":{"A":"1"}}']);
    expect(Object.keys(options.modules)).toEqual(["tasks", "io"]);
    expect(options).toMatchObject({ redis: "redis://h:1", kind: "process", size: 4, closeGrace: 500, workerOptions: { env: { A: "1" } } });
  });

  test("bad arguments are UsageErrors that say what was wrong", () => {
    expect(() => parseWorkerArgs([])).toThrow(UsageError);
    expect(() => parseWorkerArgs(["--module", "a.js", "--size", "0"])).toThrow(/--size takes a positive integer/);
    expect(() => parseWorkerArgs(["--module", "a.js", "--kind", "fiber"])).toThrow(/--kind is "thread" or "process"/);
    expect(() => parseWorkerArgs(["--module", "a.js", "--module", "b/a.js"])).toThrow(/two modules are named "a"/);
    expect(() => parseWorkerArgs(["--module", "a.js", "--colour"])).toThrow(/unknown argument/);
    expect(() => parseWorkerArgs(["--module"])).toThrow(/needs a value/);
  });
});
