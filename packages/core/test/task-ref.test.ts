import { describe, expect, test } from "vitest";
import { TaskReferenceError } from "../src/errors.js";
import { inlineSource, resolveTarget } from "../src/task-ref.js";

describe("inline task functions", () => {
  test("accept arrow, function and async functions", () => {
    expect(inlineSource((a: number) => a + 1)).toMatch(/=>/);
    expect(inlineSource(function named(a: number) { return a; })).toMatch(/^function named/);
    expect(inlineSource(async (a: number) => a)).toMatch(/^async/);
  });

  test.each([
    ["a native function", Math.max, /native or bound/],
    ["a bound function", ((a: number) => a).bind(null), /native or bound/],
    ["a class", class Thing {}, /class/],
    ["an object method", { m(a: number) { return a; } }.m, /method/],
  ])("refuse %s", (_label, fn, reason) => {
    expect(() => inlineSource(fn as never)).toThrow(TaskReferenceError);
    expect(() => inlineSource(fn as never)).toThrow(reason);
  });

  test("a name without a module is explained", () => {
    expect(() => resolveTarget("fib", undefined)).toThrow(/no task module was set/);
    expect(() => resolveTarget("", "file:///x.js")).toThrow(/empty string/);
    expect(resolveTarget("fib", "file:///x.js")).toEqual({ module: "file:///x.js", name: "fib" });
  });
});
