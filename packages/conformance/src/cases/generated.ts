/**
 * Generated values through real workers: what a task receives and returns arrives exactly as
 * structured clone would deliver it (errors by weft's rule), on the message path (a batch) and on
 * the fast lane (one task at a time to an idle thread worker); a value that cannot cross rejects
 * its own task with a DataCloneError that says where, and its batch-mate still succeeds; odd
 * thrown values (symbols, throwing getters, prototype-key names, long cause chains) arrive.
 *
 * A few hundred values per runtime keep this to seconds; the core's unit tests run tens of
 * thousands through the same codec without workers, and `npm run fuzz -w @weft/core` more.
 */
import fc from "fast-check";
import { equal, ok, rejects } from "../assert.js";
import { buildGenerated, differenceFrom, generatedArbitrary } from "../codec-model.js";
import type { CaseDefinition } from "../harness.js";
import { fixturePool } from "./util.js";

const VALUES = 150;

/**
 * JavaScript cannot tell a Proxy from its target; server runtimes can (node:util's isProxy), a
 * browser cannot, and a Deno worker does not load the check (it costs ~200 ms per worker start).
 * There the transport itself refuses a Proxy, and the pool's send guard reports it.
 */
const proxiesDetectable = (runtime: string, where: "host" | "worker") => runtime !== "browser" && !(runtime === "deno" && where === "worker");

function sample(seed: number) {
  return fc.sample(generatedArbitrary(), { numRuns: VALUES, seed });
}

function check(back: unknown, sent: unknown, seed: number, index: number, how: string): void {
  const difference = differenceFrom(back, sent, `value ${index}`);
  ok(difference === undefined, `${how}: ${difference} (fast-check seed ${seed}; rerun with this seed to reproduce)`);
}

export const generatedCases: CaseDefinition[] = [
  {
    name: "generated values: a batch (the message path) round-trips them exactly",
    timeoutMs: 60_000,
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 2 });
      const seed = Date.now() % 2 ** 31;
      const sent = sample(seed).map(buildGenerated);
      const back = await Promise.all(sent.map((value) => pool.apply("echo", [value])));
      back.forEach((value, i) => check(value, sent[i], seed, i, "batched echo"));
    },
  },
  {
    name: "generated values: one task at a time (the fast lane, on threads) round-trips them exactly",
    timeoutMs: 60_000,
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const seed = (Date.now() + 1) % 2 ** 31;
      // Processes have no fast lane: a few values there show the one-at-a-time path is the same.
      const count = ctx.kind === "thread" ? VALUES : VALUES / 5;
      const sent = sample(seed).slice(0, count).map(buildGenerated);
      // Each call goes to an idle worker waiting on its mailbox: the compact codec carries what it
      // can, the message path the rest, and both must give the same shapes.
      for (const [i, value] of sent.entries()) check(await pool.apply("echo", [value]), value, seed, i, "echo one at a time");
      const plain = fc.sample(generatedArbitrary({ plainOnly: true }), { numRuns: count, seed }).map(buildGenerated);
      for (const [i, value] of plain.entries()) check(await pool.apply("echo", [value]), value, seed, i, "plain echo one at a time");
    },
  },
  {
    name: "generated values: a result that cannot cross rejects its own task with a DataCloneError naming where; its batch-mate succeeds",
    timeoutMs: 60_000,
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const cases: [string, RegExp][] = [
        ["extra-function", /result\.config\.handler.*function/],
        ["deep", /nested more than/],
        ["getter", /result\.boom.*threw/],
        ["symbol", /result\.s.*symbol/],
        ...(proxiesDetectable(ctx.adapter.runtime, "worker") ? [["proxy", /result\.list\[1\].*Proxy/] as [string, RegExp]] : []),
      ];
      for (const [kind, pattern] of cases) {
        // Queued together on one worker, so they travel in one batch.
        const before = pool.apply("echo", [`before ${kind}`]);
        const bad = pool.apply("returnBad", [kind]);
        const after = pool.apply("echo", [`after ${kind}`]);
        const error = await rejects(bad, "DataCloneError", pattern);
        ok(error.message.includes("result"), `the error says it was the task's result: ${error.message}`);
        equal(await before, `before ${kind}`, `the task batched before a bad ${kind} result`);
        equal(await after, `after ${kind}`, `the task batched after a bad ${kind} result`);
      }
      equal(await pool.apply("add", [2, 3]), 5, "the pool still serves");
    },
  },
  {
    name: "generated values: an argument that cannot cross is refused at the call, naming where",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const list: unknown[] & { handler?: unknown } = [1, 2];
      list.handler = () => 0;
      const mate = pool.apply("echo", ["mate"]);
      await rejects(pool.apply("echo", [{ config: list }] as never), "DataCloneError", /args\[0\]\.config\.handler.*function/);
      if (proxiesDetectable(ctx.adapter.runtime, "host")) {
        await rejects(pool.apply("echo", [{ p: new Proxy({}, {}) }] as never), "DataCloneError", /args\[0\]\.p.*Proxy/);
      }
      equal(await mate, "mate", "the task submitted beside it");
    },
  },
  {
    name: "generated values: odd thrown values arrive (symbols, throwing getters, prototype-key names, 1,000-long cause chains)",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const thrown = async (kind: string): Promise<unknown> => {
        try {
          await pool.apply("throwOdd", [kind]);
        } catch (error) {
          return error;
        }
        throw new Error(`throwOdd(${kind}) did not reject`);
      };
      const symbol = await thrown("symbol");
      equal(typeof symbol, "symbol", "a thrown symbol arrives as a symbol");
      equal((symbol as symbol).description, "thrown symbol", "with its description");
      equal(await thrown("registered-symbol"), Symbol.for("weft.conformance"), "a registered symbol arrives as that very symbol");
      const noMessage = (await thrown("message-getter")) as Error;
      ok(noMessage instanceof Error && /reading it threw Error: no message/.test(noMessage.message), `a throwing message getter leaves a note: ${String(noMessage)}`);
      const noName = (await thrown("name-getter")) as Error;
      ok(noName instanceof Error && noName.message === "a name that throws", "a throwing name getter still delivers the error");
      const badProp = (await thrown("throwing-property")) as Error & { code?: unknown };
      ok(badProp instanceof Error && /reading it threw/.test(String(badProp.code)), "a throwing enumerable property leaves a note");
      for (const name of ["toString", "valueOf", "hasOwnProperty", "__proto__", "constructor"]) {
        const error = (await thrown(name)) as Error;
        ok(error instanceof Error, `an error named ${name} arrives as an Error`);
        equal(Object.getPrototypeOf(error), Error.prototype, `an error named ${name} is an ordinary Error`);
        equal(error.name, name, `its name is ${name}`);
      }
      let link = (await thrown("long-cause")) as Error;
      let length = 0;
      while (link.cause instanceof Error) {
        link = link.cause;
        length++;
      }
      equal(length, 1000, "every link of a 1,000-long cause chain arrives");
      ok(link instanceof RangeError && link.message === "the root cause", "down to the root cause");
      equal(await pool.apply("add", [1, 1]), 2, "the worker survived all of it");
    },
  },
];
