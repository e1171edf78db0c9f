import { Pool, Process, Thread } from "@weft/core";
import { equal, ok, rejects, throws } from "../assert.js";
import type { CaseDefinition } from "../harness.js";
import { fixturePool, watchWorkers } from "./util.js";

class WithPrivate {
  #secret = 1;
  reveal() {
    return this.#secret;
  }
}

export const badInputCases: CaseDefinition[] = [
  {
    name: "bad input: a module that is not a URL, or a relative string, is refused with the fix (Pool and Thread/Process)",
    needs: ["module-urls", "thread-objects"],
    async run(ctx) {
      for (const module of [42, {}, [], ""]) {
        throws(() => new Pool({ adapter: ctx.adapter, kind: ctx.kind, module: module as never }), "InvalidArgumentError", /module must be a URL/);
      }
      for (const module of ["./tasks.js", "../tasks.js"]) {
        throws(() => new Pool({ adapter: ctx.adapter, kind: ctx.kind, module }), "InvalidArgumentError", /new URL\(.*import\.meta\.url\)/);
        const Kind = ctx.kind === "thread" ? Thread : Process;
        throws(() => new Kind({ adapter: ctx.adapter, module, target: "echo" }), "InvalidArgumentError", /relative/);
      }
      throws(() => new Pool({ adapter: ctx.adapter, kind: ctx.kind, maxQueue: "lots" as never }), "InvalidArgumentError", /maxQueue.*"auto"/);
    },
  },
  {
    name: "bad input: pool size 0, negative, NaN and unknown options are refused",
    async run(ctx) {
      // With the fixture module, which a remote pool needs; the option is refused before it matters.
      const module = ctx.fixtures;
      for (const size of [0, -1, Number.NaN, 1.5]) {
        throws(() => ctx.pool({ module, size }), "InvalidArgumentError", /size/);
      }
      throws(() => ctx.pool({ module, sise: 2 } as never), "InvalidArgumentError", /sise/);
      throws(() => new Pool({ adapter: ctx.adapter, kind: "fiber" as never }), "InvalidArgumentError", /kind/);
      throws(() => ctx.pool({ module, spinWait: -1 }), "InvalidArgumentError", /spinWait/);
      throws(() => ctx.pool({ module, workerOptions: { stderr: "pipe" as never } }), "InvalidArgumentError", /workerOptions\.stderr.*"inherit" or "ignore".*"pipe"/);
    },
  },
  {
    name: "bad input: arguments that cannot be cloned fail before queueing, naming the argument",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      await rejects(pool.apply("echo", [() => 1] as never), "DataCloneError", /args\[0\].*function/);
      await rejects(pool.apply("echo", [{ nested: [1, Symbol("s")] }] as never), "DataCloneError", /args\[0\]\.nested\[1\].*symbol/);
      await rejects(pool.apply("echo", [new WithPrivate()] as never), "DataCloneError", /WithPrivate/);
      equal(pool.stats.queued + pool.stats.running, 0, "nothing was queued");
      equal(await pool.apply("echo", ["fine"]), "fine");
    },
  },
  {
    name: "bad input: an unknown task name rejects with the module's exports listed",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      await rejects(pool.apply("noSuchTask" as never, [] as never), "TaskReferenceError", /noSuchTask.*echo/);
      if (!ctx.has("module-urls")) return;
      const unnamed = new Pool({ adapter: ctx.adapter, kind: ctx.kind, size: 1 });
      await rejects(unnamed.apply("echo", []), "TaskReferenceError", /no task module/);
      await unnamed.close();
    },
  },
  {
    name: "bad input: a task module that fails to load rejects every task, without a respawn loop",
    async run(ctx) {
      const pool = ctx.pool({ size: 2, module: new URL("./does-not-exist.js", ctx.fixtures).href });
      const workers = watchWorkers(pool as never);
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => pool.apply("anything", [])));
      for (const result of results) {
        equal(result.status, "rejected", "every task rejects");
        equal((result as PromiseRejectedResult).reason.name, "TaskModuleLoadError", "with the load error");
      }
      if (ctx.has("worker-events")) ok(workers.started.length <= 2, `workers were not respawned in a loop (${workers.started.length} started)`);
      await pool.close();
    },
  },
  {
    name: "bad input: methods, bound and native functions are refused as inline tasks; closures explain themselves",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const holder = { method(n: number) { return n; } };
      if (!ctx.has("inline-functions")) {
        // A remote pool carries no code at all: every function is refused, saying so.
        const outer = 41;
        for (const fn of [holder.method, ((n: number) => n).bind(null), Math.max, () => outer + 1]) {
          await rejects(pool.apply(fn as never, [1] as never), "InlineTaskError", /no code travels/);
        }
        return;
      }
      await rejects(pool.apply(holder.method, [1]), "TaskReferenceError", /method/);
      await rejects(pool.apply(((n: number) => n).bind(null), [1]), "TaskReferenceError", /native or bound/);
      await rejects(pool.apply(Math.max, [1, 2]), "TaskReferenceError", /native or bound/);
      const outer = 41;
      await rejects(pool.apply(() => outer + 1, []), "ReferenceError", /closures are not carried/);
    },
  },
  {
    name: "bad input: bad task options and a closed pool are reported clearly",
    async run(ctx) {
      const pool = fixturePool(ctx, { size: 1 });
      await rejects(pool.apply("echo", [1], { timeout: -5 }), "InvalidArgumentError", /timeout/);
      await rejects(pool.apply("echo", [1], { timeout: Number.NaN }), "InvalidArgumentError", /timeout/);
      await rejects(pool.apply("echo", [1], { signal: "stop" as never }), "InvalidArgumentError", /AbortSignal/);
      await rejects(pool.apply("echo", 1 as never), "InvalidArgumentError", /array/);
      await rejects(pool.map("double", [1], { chunksize: 0 }), "InvalidArgumentError", /chunksize/);
      await pool.close();
      await rejects(pool.apply("echo", [1]), "PoolClosedError");
      await rejects(pool.map("double", [1, 2]), "PoolClosedError");
      await pool.close();
    },
  },
];
