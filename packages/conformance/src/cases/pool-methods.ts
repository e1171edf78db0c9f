import { deepEqual, equal, ok, rejects } from "../assert.js";
import type { CaseDefinition } from "../harness.js";
import { fixturePool, sleep } from "./util.js";

export const poolMethodCases: CaseDefinition[] = [
  {
    name: "pool: apply by name and with an inline function",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 2 });
      equal(await pool.apply("add", [2, 3]), 5, "apply by name");
      const inline = pool.apply((s: string) => s.toUpperCase(), ["weft"]);
      if (ctx.has("inline-functions")) equal(await inline, "WEFT", "apply inline");
      else await rejects(inline, "InlineTaskError", /no code travels/);
      equal(await pool.apply("hasSignal", []), true, "a task sees its AbortSignal as this.signal");
    },
  },
  {
    name: "pool: submit returns a future that reports its state",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const future = pool.submit("sleepThen", [50, "done"]);
      equal(future.done(), false, "not done at once");
      equal(await future, "done", "awaited value");
      equal(future.done(), true, "done after");
      equal(future.state, "fulfilled");
      equal(future.result(), "done", "result()");
      equal(future.cancel(), false, "cancelling a settled task does nothing and says so");
    },
  },
  {
    name: "pool: map keeps input order, with and without chunksize",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 2 });
      const items = Array.from({ length: 103 }, (_, i) => i);
      const expected = items.map((i) => i * 2);
      deepEqual(await pool.map("double", items), expected, "default chunksize");
      deepEqual(await pool.map("double", items, { chunksize: 1 }), expected, "chunksize 1");
      deepEqual(await pool.map("double", items, { chunksize: 50 }), expected, "chunksize 50");
      deepEqual(await pool.map("double", []), [], "empty input");
      if (ctx.has("inline-functions")) deepEqual(await pool.map((n: number) => n + 1, [1, 2, 3]), [2, 3, 4], "inline function");
    },
  },
  {
    name: "pool: map rejects with the first failing item's error",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 2 });
      await rejects(pool.map("failOnFive", [1, 2, 3, 4, 5, 6], { chunksize: 1 }), "RangeError", /bad 5/);
    },
  },
  {
    name: "pool: starmap spreads each item as arguments",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 2 });
      deepEqual(await pool.starmap("add", [[1, 2], [3, 4], [5, 6]]), [3, 7, 11]);
    },
  },
  {
    name: "pool: imap yields in order from an async source with a bounded buffer",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 2 });
      let pulled = 0;
      async function* source() {
        for (let i = 0; i < 20; i++) {
          pulled++;
          yield i;
        }
      }
      const seen: number[] = [];
      for await (const value of pool.imap("double", source(), { buffer: 3 })) {
        if (seen.length === 0) ok(pulled <= 4, `imap read ${pulled} items ahead with buffer 3`);
        seen.push(value);
      }
      deepEqual(seen, Array.from({ length: 20 }, (_, i) => i * 2), "all results in order");
    },
  },
  {
    name: "pool: imapUnordered yields every result, fastest first",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 2 });
      // Both workers up first (two overlapping tasks start the second), so that a slow boot on a
      // loaded machine cannot make the fast items late.
      await Promise.all([pool.apply("sleepThen", [200, 0]), pool.apply("sleepThen", [200, 0])]);
      const seen: number[] = [];
      for await (const value of pool.imapUnordered("sleepReturn", [1_500, 10, 20])) seen.push(value);
      deepEqual([...seen].sort((a, b) => a - b), [10, 20, 1_500], "every result");
      equal(seen[seen.length - 1], 1_500, "the slow one comes last");
    },
  },
  {
    name: "pool: leaving imap early cancels what it had in flight",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      for await (const value of pool.imap("sleepReturn", [10, 100, 100, 100], { buffer: 4 })) {
        equal(value, 10);
        break;
      }
      await sleep(20);
      ok(pool.stats.cancelled >= 1, `imap's unused chunks were cancelled (cancelled=${pool.stats.cancelled})`);
    },
  },
  {
    name: "pool: 2,000 tiny tasks all settle with their own results",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 2 });
      const futures = Array.from({ length: 2000 }, (_, i) => pool.apply("echo", [i]));
      const results = await Promise.all(futures);
      ok(results.every((value, i) => value === i), "each future got its own result");
      equal(pool.stats.completed, 2000, "completed count");
    },
  },
  {
    name: "pool: with spinWait, sequential and concurrent tasks all get their own results",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1, spinWait: 50 });
      for (let i = 0; i < 500; i++) equal(await pool.apply("echo", [i]), i, `sequential task ${i}`);
      const burst = await Promise.all(Array.from({ length: 500 }, (_, i) => pool.apply("add", [i, 1])));
      ok(burst.every((value, i) => value === i + 1), "every task of the burst got its own result");
      equal(await pool.apply("sleepThen", [5, "async"]), "async", "an async task still answers by message");
      equal(await pool.apply("echo", ["after"]), "after");
    },
  },
  {
    name: "pool: back-pressure: needsDrain at maxQueue, one \"drain\" when it falls, and run/wait time summaries",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1, maxQueue: "auto" });
      equal(pool.maxQueue, 16, "auto is size² with a floor of 16");
      let drains = 0;
      pool.addEventListener("drain", () => drains++);
      // Submitted in one turn, the tasks wait here before any reaches the worker: the queue fills.
      const tasks = Array.from({ length: 16 }, (_, i) => pool.apply("echo", [i], { signal: new AbortController().signal }));
      ok(pool.needsDrain, "16 submitted, 16 may wait: the queue is at its mark");
      const drained = new Promise<void>((resolve) => pool.addEventListener("drain", () => resolve(), { once: true }));
      await rejects(pool.apply("echo", [99]), "QueueFullError");
      deepEqual(await Promise.all(tasks), Array.from({ length: 16 }, (_, i) => i), "every task got its result");
      await drained;
      equal(drains, 1, "one drain event for one rise");
      ok(!pool.needsDrain, "no longer needs draining");
      if (!ctx.has("worker-events")) return; // a remote pool's run times are measured on its nodes
      const { runTime, waitTime } = pool.stats;
      equal(runTime.count, 16, "every task's run time recorded");
      equal(waitTime.count, 16, "every task's wait time recorded");
      ok(waitTime.min <= waitTime.p50 && waitTime.p50 <= waitTime.p99 && waitTime.p99 <= waitTime.max, "wait-time percentiles are ordered");
      ok(waitTime.max >= runTime.min, "the last task waited at least as long as one run");
    },
  },
  {
    name: "pool: stats and events report the work",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 2 });
      const events: string[] = [];
      for (const type of ["queued", "running", "completed", "failed"] as const) pool.addEventListener(type, () => events.push(type));
      await pool.apply("echo", [1]);
      await rejects(pool.apply("fail", ["plain"]), "Error");
      if (ctx.has("worker-events")) deepEqual(events, ["queued", "running", "completed", "queued", "running", "failed"], "event sequence");
      // A remote pool hears that a job started only when it runs long enough for the node to say so.
      else deepEqual(events.filter((type) => type !== "running"), ["queued", "completed", "queued", "failed"], "event sequence (running when told)");
      const stats = pool.stats;
      equal(stats.completed, 1, "completed");
      equal(stats.failed, 1, "failed");
      equal(stats.queued, 0, "queued");
      if (ctx.has("worker-events")) ok(stats.utilisation >= 0 && stats.utilisation <= 1, "utilisation within 0..1");
    },
  },
];
