import { expectTypeOf, test } from "vitest";
import type { Pool, Process, Thread } from "@weft/node";

// Compile-time checks (the package's `test` script runs tsc first): calling a task through a
// Pool, Thread or Process takes its argument and result types from the task module's exports.
// The bodies are only type-checked, never run: they would start workers for nothing.
type Tasks = typeof import("@weft/conformance/fixtures/tasks.js");

function poolTypes(pool: Pool<Tasks>) {
  expectTypeOf(pool.apply("add", [1, 2])).resolves.toEqualTypeOf<number>();
  expectTypeOf(pool.map("double", [1, 2, 3])).resolves.toEqualTypeOf<number[]>();
  expectTypeOf(pool.starmap("countPrimes", [[0, 10]])).resolves.toEqualTypeOf<number[]>();
  expectTypeOf(pool.apply((s: string) => s.length, ["abc"])).resolves.toEqualTypeOf<number>();
  // @ts-expect-error — "add" takes two numbers
  void pool.apply("add", ["1", 2]);
  // @ts-expect-error — no such export
  void pool.apply("noSuchTask", []);
}

function threadTypes(ThreadClass: typeof Thread, ProcessClass: typeof Process) {
  const thread = new ThreadClass({ target: (a: number, b: string) => `${b}${a}`, args: [1, "x"] });
  expectTypeOf(thread.join).returns.resolves.toEqualTypeOf<string>();
  const process_ = new ProcessClass<Tasks["countPrimes"]>({ module: "file:///tasks.js", target: "countPrimes", args: [0, 10] });
  expectTypeOf(process_.join).returns.resolves.toEqualTypeOf<number>();
  // @ts-expect-error — countPrimes takes numbers
  void new ProcessClass<Tasks["countPrimes"]>({ module: "file:///tasks.js", target: "countPrimes", args: ["0", 10] });
}

test("Pool infers argument and result types from the task module (checked by tsc)", () => {
  expectTypeOf(poolTypes).parameter(0).toEqualTypeOf<Pool<Tasks>>();
});

test("Thread and Process infer from an inline target or from the task's type (checked by tsc)", () => {
  expectTypeOf(threadTypes).toBeFunction();
});
