import { equal, ok, rejects } from "../assert.js";
import type { CaseDefinition } from "../harness.js";
import { fixturePool } from "./util.js";

export const errorCases: CaseDefinition[] = [
  {
    name: "errors: name, message, cause chain, AggregateError members and own properties cross",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const typeError = await rejects(pool.apply("fail", ["type"]), "TypeError", /wrong type here/);
      ok(typeError instanceof TypeError, "a TypeError is rebuilt as a TypeError");
      const withCause = await rejects(pool.apply("fail", ["cause"]), "Error", /outer failure/);
      const cause = withCause.cause as Error;
      ok(cause instanceof RangeError, "the cause is a RangeError");
      equal(cause.message, "inner cause", "the cause's message");
      const aggregate = await rejects(pool.apply("fail", ["aggregate"]), "AggregateError", /several failed/);
      const members = (aggregate as AggregateError).errors as Error[];
      equal(members.length, 2, "AggregateError members");
      equal(members[1]?.name, "TypeError", "second member's name");
      const props = (await rejects(pool.apply("fail", ["props"]), "Error")) as Error & { code: string; detail: { retry: number } };
      equal(props.code, "E_WEFT_TEST", "own property code");
      equal(props.detail.retry, 3, "own property detail");
      const custom = await rejects(pool.apply("fail", ["custom"]), "CustomFailure", /custom class/);
      ok(custom instanceof Error, "a custom class comes back as an Error with its name");
      const thrownString = await pool.apply("fail", ["string"]).then(() => undefined, (e: unknown) => e);
      equal(thrownString, "a thrown string", "a thrown non-Error value comes back as that value");
    },
  },
  {
    name: "errors: the worker's stack is joined to the caller's",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const error = await rejects(pool.apply("fail", ["plain"]), "Error");
      ok(typeof error.stack === "string" && error.stack.includes("awaited in the caller"), `the stack has both parts: ${error.stack}`);
      ok(/fail/.test(error.stack!.split("awaited in the caller")[0]!), "the worker part names the failing task");
    },
  },
  {
    name: "errors: an async task's rejection reaches the caller",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      await rejects(pool.apply("failLater", [10]), "Error", /failed after waiting/);
      equal(await pool.apply("echo", ["next"]), "next", "the worker keeps serving");
    },
  },
];
