import { deepEqual, equal, ok, rejects } from "../assert.js";
import type { CaseDefinition } from "../harness.js";
import { fixturePool, watchWorkers } from "./util.js";

export const closingCases: CaseDefinition[] = [
  {
    name: "close: drains queued and running tasks, then refuses new ones",
    async run(ctx) {
      const pool = fixturePool(ctx, { size: 2 });
      const pending = Array.from({ length: 6 }, (_, i) => pool.apply("sleepThen", [20, i]));
      const closing = pool.close();
      equal(pool.close(), closing, "closing twice returns the same promise");
      await rejects(pool.apply("echo", [1]), "PoolClosedError", /closed/);
      await closing;
      deepEqual(await Promise.all(pending), [0, 1, 2, 3, 4, 5], "every task queued before close ran");
      if (ctx.has("worker-events")) equal(pool.stats.workers, 0, "no worker left after close");
    },
  },
  {
    name: "terminate: rejects queued and running tasks with PoolClosedError",
    async run(ctx) {
      const pool = fixturePool(ctx, { size: 1 });
      const running = pool.apply("sleepThen", [5000, "never"]);
      const queued = pool.apply("echo", [1]);
      await new Promise((r) => setTimeout(r, 50));
      await pool.terminate();
      await rejects(running, "PoolClosedError");
      await rejects(queued, "PoolClosedError");
      if (ctx.has("worker-events")) equal(pool.stats.workers, 0, "no worker left after terminate");
      await pool.terminate();
      await pool.close();
    },
  },
  {
    name: "shutdown: after close no worker process is left running",
    kinds: ["process"],
    async run(ctx) {
      if (!ctx.host.isProcessAlive || !ctx.adapter.capabilities.osProcesses) ctx.skip("this host cannot look up OS processes");
      const pool = fixturePool(ctx, { size: 2 });
      const workers = watchWorkers(pool);
      // Overlapping, so that both workers run one; a remote pool's workers are not seen from here, their pids are.
      const ran = await Promise.all([pool.apply("pidAfter", [30]), pool.apply("pidAfter", [30])]);
      const pids = (ctx.has("worker-events") ? workers.started.map((w) => w.pid) : ran).filter((pid): pid is number => typeof pid === "number");
      equal(pids.length, 2, "two worker pids");
      for (const pid of pids) ok(await ctx.host.isProcessAlive!(pid), `worker ${pid} runs before close`);
      await pool.close();
      for (const pid of pids) ok(!(await ctx.host.isProcessAlive!(pid)), `worker ${pid} is gone after close`);
    },
  },
];
