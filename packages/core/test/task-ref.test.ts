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

describe("task module specifiers", () => {
  test("URLs and URL strings pass; a URL from another realm passes by its href", async () => {
    const { moduleUrl } = await import("../src/task-ref.js");
    expect(moduleUrl(new URL("file:///a/tasks.js"))).toBe("file:///a/tasks.js");
    expect(moduleUrl("file:///a/tasks.js")).toBe("file:///a/tasks.js");
    expect(moduleUrl("/abs/tasks.js")).toBe("/abs/tasks.js");
    expect(moduleUrl({ href: "https://x.test/t.js" } as never)).toBe("https://x.test/t.js");
  });

  test.each(["./tasks.js", "../tasks.js", ".", "..", ".\\tasks.js"])("a relative string %j is refused with the new URL(…, import.meta.url) fix", async (specifier) => {
    const { moduleUrl } = await import("../src/task-ref.js");
    expect(() => moduleUrl(specifier)).toThrow(expect.objectContaining({ name: "InvalidArgumentError", message: expect.stringContaining("import.meta.url") }));
  });

  test.each([42, {}, [], null, "", true])("a module of %j is refused with a named error", async (specifier) => {
    const { moduleUrl } = await import("../src/task-ref.js");
    expect(() => moduleUrl(specifier as never)).toThrow(expect.objectContaining({ name: "InvalidArgumentError", message: expect.stringMatching(/module must be a URL/) }));
  });
});

describe("exit(code) outside a worker", () => {
  test("throws InvalidStateError on the main thread and refuses a code that is not whole", async () => {
    const { exit } = await import("../src/worker/exit.js");
    expect(() => exit(0)).toThrow(expect.objectContaining({ name: "InvalidStateError", message: expect.stringContaining("runtime's own exit") }));
    expect(() => exit(1.5)).toThrow(expect.objectContaining({ name: "InvalidArgumentError" }));
  });
});
