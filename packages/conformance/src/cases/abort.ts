import { AbortError } from "@weft/core";
import { deepEqual, equal, ok, rejects } from "../assert.js";
import type { CaseDefinition } from "../harness.js";
import { fixturePool, neverYielding, sleep, watchWorkers } from "./util.js";

export const abortCases: CaseDefinition[] = [
  {
    name: "abort: a queued task that is aborted never runs",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const blocker = pool.apply("sleepThen", [150, "blocker"]);
      const controller = new AbortController();
      const aborted = pool.apply("recordCall", ["aborted"], { signal: controller.signal });
      const after = pool.apply("recordCall", ["after"]);
      controller.abort();
      await rejects(aborted, "AbortError");
      equal(await blocker, "blocker");
      equal(await after, "after");
      deepEqual(await pool.apply("calls", []), ["after"], "the aborted task never ran in the worker");
    },
  },
  {
    name: "abort: a running task sees its signal, cleans up, and its worker stays",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const workers = watchWorkers(pool);
      await pool.apply("echo", [0]); // the worker is up and the module loaded: the task will really start
      const controller = new AbortController();
      const running = pool.apply("waitForAbort", [], { signal: controller.signal });
      await sleep(100);
      const started = performance.now();
      controller.abort();
      await rejects(running, "AbortError");
      ok(performance.now() - started < 500, "the caller is answered promptly");
      equal(await pool.apply("cleanedUp", []), true, "the task's cleanup ran in the worker");
      if (ctx.has("worker-events")) equal(workers.started.length, 1, "the cooperative worker was not replaced");
    },
  },
  {
    name: "abort: a running task that ignores its abort is stopped after the grace period",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1, abortGrace: 100 });
      const workers = watchWorkers(pool);
      await pool.apply("echo", [0]); // the worker is up and the module loaded: the task will really start
      const controller = new AbortController();
      const { target, args } = neverYielding(ctx);
      const stuck = pool.apply(target, args as never, { signal: controller.signal });
      const queued = pool.apply("echo", ["queued"]);
      await sleep(100);
      controller.abort(new Error("user gave up"));
      const error = await rejects(stuck, "AbortError");
      equal((error.cause as Error | undefined)?.message, "user gave up", "the abort reason is the cause");
      equal(await queued, "queued", "the queued task ran on a replacement");
      if (ctx.has("worker-events")) equal(workers.started.length, 2, "the stuck worker was replaced");
    },
  },
  {
    name: "abort: an already-aborted signal rejects at once; aborting a settled task changes nothing",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      await rejects(pool.apply("echo", [1], { signal: AbortSignal.abort() }), "AbortError");
      const controller = new AbortController();
      const future = pool.apply("echo", [2], { signal: controller.signal });
      equal(await future, 2);
      controller.abort();
      equal(future.cancel(), false, "cancel() after settling returns false");
      equal(future.result(), 2, "the result stands");
      ok(!(future.exception() instanceof AbortError), "no abort recorded");
    },
  },
  {
    name: "abort: AbortSignal.timeout() rejects with TimeoutError",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1, abortGrace: 100 });
      await rejects(pool.apply("sleepThen", [2000, "late"], { signal: AbortSignal.timeout(50) }), "TimeoutError");
    },
  },
];
