import { describe, expect, test } from "vitest";
import { createFastLaneBuffers, readMessage, writeMessage } from "../src/fast-lane.js";

describe("the fast lane's compact codec", () => {
  const view = new DataView(createFastLaneBuffers().control);
  const roundTrip = (value: unknown) => {
    expect(writeMessage(view, 0, value)).toBe(true);
    return readMessage(view, 0);
  };

  test("carries plain values exactly", () => {
    const message = {
      type: "run",
      tasks: [{ id: 7, target: { module: "file:///tasks.js", name: "fib" }, args: [2 ** 31 - 1, -(2 ** 31), 2 ** 31, 0.5, Number.NaN, -0, "héllo ✓", true, null, undefined, [1, [2]], { a: { b: "c" } }], encoded: false, mode: "call" }],
    };
    const back = roundTrip(message) as typeof message;
    expect(back).toEqual(message);
    expect(Object.is(back.tasks[0]!.args[5], -0)).toBe(true);
    expect(roundTrip([10n, -(2n ** 70n)])).toEqual([10n, -(2n ** 70n)]);
  });

  test("refuses what it cannot carry, so the message path takes it", () => {
    expect(writeMessage(view, 0, { when: new Date() })).toBe(false);
    expect(writeMessage(view, 0, [new Map()])).toBe(false);
    expect(writeMessage(view, 0, "x".repeat(40_000))).toBe(false);
  });
});
