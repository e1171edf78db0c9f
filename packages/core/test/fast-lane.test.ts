import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { MalformedMessageError } from "../src/errors.js";
import { createFastLaneBuffers, readMessage, writeMessage } from "../src/fast-lane.js";
import { FrameReader, FrameWriter } from "../src/fast-lane-frames.js";
import type { RunRequest } from "../src/protocol.js";

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

describe("the fast lane's frames", () => {
  const pair = () => {
    const view = new DataView(createFastLaneBuffers().control);
    return { writer: new FrameWriter(view, 16, 1024), reader: new FrameReader(view, 16, 1024) };
  };
  const task = (id: number, target: RunRequest["target"], args: unknown[], extra: Partial<RunRequest> = {}) =>
    ({ type: "run", tasks: [{ id, target, args, encoded: false, mode: "call", ...extra }] }) as const;

  test("a task, then the same target again, arrive as sent; the target object is reused", () => {
    const { writer, reader } = pair();
    const target = { module: "file:///a/very/long/path/to/the/tasks.js", name: "echo" };
    const first = task(1, target, [1, "x"]);
    expect(writer.write(first)).toBe(true);
    const a = reader.read() as typeof first;
    expect(a).toEqual(first);
    const second = task(2, target, [{ n: 2 }], { mode: "starmap", timed: true, progress: true });
    expect(writer.write(second)).toBe(true);
    const b = reader.read() as typeof second;
    expect(b).toEqual(second);
    expect(b.tasks[0]!.target).toBe(a.tasks[0]!.target);
  });

  test("any message round-trips: tasks with varying targets, values, and everything else", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ id: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), place: fc.constantFrom("m1", "m2", "m1"), name: fc.constantFrom("f", "g", "m1"), source: fc.boolean(), args: fc.array(fc.jsonValue(), { maxLength: 3 }) }).map(({ id, place, name, source, args }) =>
              task(id, source ? { source: place, name } : { module: place, name }, args),
            ),
            fc.record({ id: fc.integer({ min: 0, max: 2 ** 31 - 1 }), value: fc.jsonValue() }).map(({ id, value }) => ({ type: "results", results: [{ id, ok: true, value, encoded: false }] })),
            fc.record({ type: fc.constant("results"), results: fc.array(fc.record({ id: fc.nat(), ok: fc.constant(true), value: fc.jsonValue(), encoded: fc.boolean() }), { maxLength: 3 }) }),
          ),
          { maxLength: 12 },
        ),
        (messages) => {
          const { writer, reader } = pair();
          for (const message of messages) {
            if (!writer.write(message)) continue; // too big for the test's 1 KiB: the message path takes it
            expect(reader.read()).toEqual(message);
          }
        },
      ),
    );
  });

  test("a frame that does not fit is refused and teaches the reader nothing", () => {
    const { writer, reader } = pair();
    expect(writer.write(task(1, { module: "m".repeat(300), name: "f" }, ["y".repeat(400)]))).toBe(false);
    const next = task(2, { module: "m".repeat(300), name: "f" }, []);
    expect(writer.write(next)).toBe(true);
    expect(reader.read()).toEqual(next);
  });

  test("a corrupted frame is a MalformedMessageError", () => {
    const { reader } = pair();
    const view = new DataView(createFastLaneBuffers().control);
    view.setUint8(16, 1); // a task frame
    view.setUint8(21, 0);
    view.setUint8(23, 1); // a known string that was never sent
    expect(() => new FrameReader(view, 16, 1024).read()).toThrow(MalformedMessageError);
    view.setUint8(16, 9);
    expect(() => new FrameReader(view, 16, 1024).read()).toThrow(MalformedMessageError);
    expect(reader).toBeDefined();
  });
});
