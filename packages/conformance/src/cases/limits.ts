import { equal, eventually, ok, rejects } from "../assert.js";
import type { CaseDefinition } from "../harness.js";
import { fixturePool, neverYielding, sleep, watchWorkers } from "./util.js";

export const limitCases: CaseDefinition[] = [
  {
    name: "timeout: a task running past its timeout rejects with TimeoutError; the pool recovers",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1, abortGrace: 50 });
      const { target, args } = neverYielding(ctx);
      await rejects(pool.apply(target, args as never, { timeout: 100 }), "TimeoutError", /100 ms/);
      equal(await pool.apply("echo", ["next"]), "next", "the next task runs");
    },
  },
  {
    name: "timeout: time spent queued does not count against the run timeout",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      // Margins a loaded machine cannot eat: queued 1.5 s, longer than the 1 s timeout; runs 20 ms.
      const first = pool.apply("sleepThen", [1_500, "first"]);
      const second = pool.apply("sleepThen", [20, "in time"], { timeout: 1_000 });
      await first;
      equal(await second, "in time", "queued for 1.5 s, ran for 20 ms, under its 1 s timeout");
    },
  },
  {
    name: "timeout: the pool's taskTimeout applies to every task",
    async run(ctx) {
      // The timeout counts from when the worker is ready, so loading the task module in a fresh
      // worker counts too: 3 s leaves a loaded machine room for that, far below the late task.
      await using pool = fixturePool(ctx, { size: 1, taskTimeout: 3_000, abortGrace: 50 });
      await rejects(pool.apply("sleepThen", [120_000, "late"]), "TimeoutError");
      equal(await pool.apply("sleepThen", [5, "quick"]), "quick");
    },
  },
  {
    name: "backpressure: maxQueue refuses extra tasks until ready() says there is room",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1, maxQueue: 2 });
      const accepted = [pool.apply("sleepThen", [100, 0])];
      // The first leaves the queue: on a local pool once a worker has it; on a cluster once a node
      // reported it started, which takes as long as starting the nodes does.
      await eventually(() => pool.stats.queued === 0, "the first task is running, not queued", 20_000);
      accepted.push(pool.apply("echo", [1]), pool.apply("echo", [2]));
      await rejects(pool.apply("echo", [3]), "QueueFullError", /ready\(\)/);
      await pool.ready();
      ok(pool.stats.queued < 2, "ready() resolved with room in the queue");
      accepted.push(pool.apply("echo", [3]));
      equal((await Promise.all(accepted)).length, 4, "every accepted task settled");
    },
  },
  {
    name: "recycling: maxTasksPerWorker replaces workers and loses nothing",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1, maxTasksPerWorker: 3 });
      const workers = watchWorkers(pool);
      const results = await Promise.all(Array.from({ length: 7 }, (_, i) => pool.apply("echo", [i])));
      equal(results.join(","), "0,1,2,3,4,5,6", "all results");
      if (ctx.has("worker-events")) equal(workers.started.length, 3, "seven tasks at three per worker need three workers");
      else {
        // The workers are not seen from here; their pids are: three tasks per worker, then a new one.
        const pids: unknown[] = [];
        for (let i = 0; i < 6; i++) pids.push(await pool.apply("pid", []));
        equal(new Set(pids).size, 3, `six more tasks at three per worker (one left of the last) ran in three processes: ${pids.join(", ")}`);
      }
    },
  },
  {
    name: "idle: idleTimeout stops idle workers and starts them again on demand",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1, idleTimeout: 50 });
      const workers = watchWorkers(pool);
      equal(await pool.apply("echo", [1]), 1);
      // A remote pool's workers are not seen from here; their pids are.
      const before = ctx.has("worker-events") ? undefined : await pool.apply("pid", []);
      await sleep(300);
      if (ctx.has("worker-events")) {
        equal(workers.exited.length, 1, "the idle worker stopped");
        equal(pool.stats.workers, 0, "no worker left");
      }
      equal(await pool.apply("echo", [2]), 2, "a new worker starts on demand");
      if (ctx.has("worker-events")) equal(workers.started.length, 2);
      else ok(before !== (await pool.apply("pid", [])), "a new worker process after the idle timeout");
    },
  },
];
