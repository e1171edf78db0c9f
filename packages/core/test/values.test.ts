import { describe, expect, test } from "vitest";
import { DataCloneError } from "../src/errors.js";
import { SHARED_HANDLE, registerSharedType } from "../src/shared-handle.js";
import { prepareArgs, reviveValue } from "../src/values.js";

class Box {
  #value = 1;
  get value() {
    return this.#value;
  }
}

class FakeShared {
  constructor(readonly buffer: SharedArrayBuffer) {}
  [SHARED_HANDLE]() {
    return { type: "test.FakeShared", state: { buffer: this.buffer } };
  }
}
registerSharedType("test.FakeShared", (state) => new FakeShared((state as { buffer: SharedArrayBuffer }).buffer));

describe("prepareArgs", () => {
  test("passes plain data through untouched, without copying", () => {
    const args = [1, "two", { three: [3n, new Date(0), new Map([[1, 2]])] }];
    const prepared = prepareArgs(args, "process");
    expect(prepared.encoded).toBe(false);
    expect(prepared.args).toBe(args);
  });

  test.each([
    [[() => 1], "args[0]", /function/],
    [[1, { deep: [0, Symbol("x")] }], "args[1].deep[1]", /symbol/],
    [[new Box()], "args[0]", /Box/],
    [[new Map([["k", () => 0]])], 'args[0].get("k")', /function/],
  ])("refuses %o naming %s", (args, path, reason) => {
    let caught: unknown;
    try {
      prepareArgs(args as unknown[], "thread");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DataCloneError);
    expect((caught as DataCloneError).path).toBe(path);
    expect((caught as Error).message).toMatch(reason);
  });

  test("shares SharedArrayBuffers with threads and refuses them for processes", () => {
    const sab = new SharedArrayBuffer(8);
    expect(prepareArgs([sab, new Int32Array(sab)], "thread").encoded).toBe(false);
    expect(() => prepareArgs([{ view: new Int32Array(sab) }], "process")).toThrow(/args\[0\]\.view.*process shares no memory/);
  });

  test("encodes shared handles for threads and revives them over the same memory", () => {
    const handle = new FakeShared(new SharedArrayBuffer(4));
    const prepared = prepareArgs([{ handle }], "thread");
    expect(prepared.encoded).toBe(true);
    const received = reviveValue(structuredClone(prepared.args)) as [{ handle: FakeShared }];
    expect(received[0].handle).toBeInstanceOf(FakeShared);
    new Int32Array(received[0].handle.buffer)[0] = 7;
    expect(new Int32Array(handle.buffer)[0]).toBe(7);
    expect(() => prepareArgs([handle], "process")).toThrow(DataCloneError);
  });

  test("handles cycles without looping", () => {
    const node: Record<string, unknown> = { name: "a" };
    node.self = node;
    expect(prepareArgs([node], "process").encoded).toBe(false);
  });

  test("packs long arrays of numbers into one Float64Array and restores them exactly", () => {
    const numbers = Array.from({ length: 1000 }, (_, i) => (i === 3 ? Number.NaN : i === 4 ? -0 : i / 3));
    const prepared = prepareArgs([numbers, [1, 2, 3]], "process");
    expect(prepared.encoded).toBe(true);
    const restored = reviveValue(structuredClone(prepared.args)) as number[][];
    expect(restored[1]).toEqual([1, 2, 3]);
    expect(Array.isArray(restored[0])).toBe(true);
    expect(restored[0]).toEqual(numbers);
    expect(Object.is(restored[0]![4], -0)).toBe(true);
    const withHole = new Array(500).fill(1);
    delete withHole[7];
    expect(prepareArgs([withHole], "thread").encoded).toBe(false);
  });
});
