import { describe, expect, test } from "vitest";
import { AbortError, TimeoutError } from "../src/errors.js";
import { deserializeError, serializeError } from "../src/codec/thrown.js";

const roundTrip = (error: unknown, callerStack?: string) => deserializeError(structuredClone(serializeError(error)), callerStack);

describe("errors across the boundary", () => {
  test("keep built-in classes, cause chains and own properties", () => {
    const original = Object.assign(new TypeError("outer", { cause: new RangeError("inner") }), { code: "E_X", info: { n: 1 } });
    const copy = roundTrip(original) as TypeError & { code: string; info: { n: number } };
    expect(copy).toBeInstanceOf(TypeError);
    expect(copy.message).toBe("outer");
    expect(copy.cause).toBeInstanceOf(RangeError);
    expect((copy.cause as Error).message).toBe("inner");
    expect(copy.code).toBe("E_X");
    expect(copy.info).toEqual({ n: 1 });
  });

  test("keep AggregateError members", () => {
    const copy = roundTrip(new AggregateError([new Error("a"), new TypeError("b")], "both")) as AggregateError;
    expect(copy).toBeInstanceOf(AggregateError);
    expect(copy.errors.map((e: Error) => e.name)).toEqual(["Error", "TypeError"]);
  });

  test("rebuild weft's own errors as their classes", () => {
    expect(roundTrip(new AbortError("stop"))).toBeInstanceOf(AbortError);
    const timeout = roundTrip(new TimeoutError("slow")) as Error;
    expect(timeout).toBeInstanceOf(TimeoutError);
    expect(timeout.message).toBe("slow");
  });

  test("keep custom names and non-Error values", () => {
    const custom = new Error("odd");
    custom.name = "OddError";
    expect((roundTrip(custom) as Error).name).toBe("OddError");
    expect(roundTrip("plain string")).toBe("plain string");
    expect(roundTrip({ code: 3 })).toEqual({ code: 3 });
    const symbol = roundTrip(Symbol("x"));
    expect(typeof symbol).toBe("symbol");
    expect((symbol as symbol).description).toBe("x");
    expect(roundTrip(Symbol.for("weft.test"))).toBe(Symbol.for("weft.test"));
  });

  test("join the worker's stack to the caller's", () => {
    const copy = roundTrip(new Error("deep"), "Error: caller\n    at callerFunction (file.js:1:1)") as Error;
    expect(copy.stack).toMatch(/deep[\s\S]*awaited in the caller[\s\S]*callerFunction/);
  });
});
