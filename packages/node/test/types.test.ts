import { expectTypeOf, test } from "vitest";
import { Pool, Process, Thread } from "@weft/node";

// Compile-time checks (the package's `test` script runs tsc first): calling a task through a
// Pool, Thread or Process takes its argument and result types from the task module's exports.
type Tasks = typeof import("@weft/conformance/fixtures/tasks.js");

test("Pool infers argument and result types from the task module", () => {
  const pool = new Pool<Tasks>({ size: 1, module: "file:///unused.js" });
  expectTypeOf(pool.apply("add", [1, 2])).resolves.toEqualTypeOf<number>();
  expectTypeOf(pool.map("double", [1, 2, 3])).resolves.toEqualTypeOf<number[]>();
  expectTypeOf(pool.starmap("countPrimes", [[0, 10]])).resolves.toEqualTypeOf<number[]>();
  // @ts-expect-error — "add" takes two numbers
  void pool.apply("add", ["1", 2]);
  // @ts-expect-error — no such export
  void pool.apply("noSuchTask", []);
  expectTypeOf(pool.apply((s: string) => s.length, ["abc"])).resolves.toEqualTypeOf<number>();
  void pool.terminate();
});

test("Thread and Process infer from an inline target or from the task's type", () => {
  const thread = new Thread({ target: (a: number, b: string) => `${b}${a}`, args: [1, "x"] });
  expectTypeOf(thread.join).returns.resolves.toEqualTypeOf<string>();
  const process_ = new Process<Tasks["countPrimes"]>({ module: "file:///unused.js", target: "countPrimes", args: [0, 10] });
  expectTypeOf(process_.join).returns.resolves.toEqualTypeOf<number>();
  // @ts-expect-error — countPrimes takes numbers
  void new Process<Tasks["countPrimes"]>({ module: "file:///unused.js", target: "countPrimes", args: ["0", 10] });
});
