import { deepEqual, equal, ok, rejects } from "../assert.js";
import type { CaseDefinition } from "../harness.js";
import { exitCodes, fixturePool, sleep, watchWorkers } from "./util.js";

export const faultCases: CaseDefinition[] = [
  {
    name: "faults: a task that throws rejects alone; the same worker runs the next",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const workers = watchWorkers(pool);
      const results = await Promise.allSettled([pool.apply("echo", [1]), pool.apply("fail", ["plain"]), pool.apply("echo", [3])]);
      deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"], "only the failing task rejects");
      if (ctx.has("worker-events")) equal(workers.started.length, 1, "no worker was replaced");
    },
  },
  {
    name: "faults: an uncaught error in a timer kills the worker; only its task rejects, queued tasks run",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const workers = watchWorkers(pool);
      const before = pool.apply("echo", ["before"]);
      const victim = pool.apply("crashInTimer", []);
      const queued = Array.from({ length: 5 }, (_, i) => pool.apply("echo", [i]));
      equal(await before, "before", "the task before the crash");
      const error = await rejects(victim, "WorkerExitError");
      ok(/boom in a timer/.test(String((error.cause as Error | undefined)?.message ?? error.message)), `the uncaught error is the cause: ${error.message}`);
      deepEqual(await Promise.all(queued), [0, 1, 2, 3, 4], "queued tasks all ran on the replacement");
      if (ctx.has("worker-events")) equal(workers.started.length, 2, "the worker was replaced once");
    },
  },
  {
    name: "faults: a task that calls the runtime's exit rejects with WorkerExitError; the pool keeps serving",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 2 });
      const others = Array.from({ length: 6 }, (_, i) => pool.apply("sleepThen", [5, i]));
      const error = await rejects(pool.apply("exitWorker", [3]), "WorkerExitError");
      if (exitCodes(ctx).reported) equal((error as Error & { exitCode: number }).exitCode, 3, "exit code");
      deepEqual(await Promise.all(others), [0, 1, 2, 3, 4, 5], "every other task settled with its result");
      equal(await pool.apply("echo", ["after"]), "after", "a new task runs");
    },
  },
  {
    name: "faults: a process killed from outside rejects its task; the pool replaces it",
    kinds: ["process"],
    async run(ctx) {
      if (!ctx.host.killProcess || !ctx.adapter.capabilities.osProcesses) ctx.skip("this host cannot kill a worker process from outside (no OS processes or no kill hook)");
      await using pool = fixturePool(ctx, { size: 1 });
      const workerPid = (await pool.apply("pid", [])) as number;
      const victim = pool.apply("sleepThen", [10_000, "never"]);
      const queued = pool.apply("echo", ["queued"]);
      await sleep(50);
      await ctx.host.killProcess!(workerPid);
      const error = await rejects(victim, "WorkerExitError");
      equal((error as Error & { signal: string }).signal, "SIGKILL", "the signal is reported");
      equal(await queued, "queued", "the queued task ran on the replacement");
    },
  },
  {
    name: "faults: a worker over its memory limit dies alone",
    async run(ctx) {
      if (!ctx.adapter.capabilities.resourceLimits) ctx.skip(ctx.adapter.capabilities.notes?.resourceLimits ?? "this runtime enforces no per-worker memory limit");
      // A process worker's runtime reports its own death on stderr (V8's "FATAL ERROR … heap out of
      // memory" and stack); the exit says it here, so a passing run prints none of it.
      await using pool = fixturePool(ctx, { size: 1, workerOptions: { resourceLimits: { maxHeapMb: 64 }, stderr: "ignore" } });
      const victim = pool.apply("exhaustMemory", []);
      const queued = pool.apply("echo", ["survivor"]);
      await rejects(victim, "WorkerExitError");
      equal(await queued, "survivor", "the next task ran on a replacement");
    },
    timeoutMs: 60_000,
  },
  {
    name: "faults: many crashes in a row never lose a task",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 2 });
      const jobs = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? pool.apply("crashInTimer", []) : pool.apply("echo", [i])));
      const results = await Promise.allSettled(jobs);
      results.forEach((result, i) => {
        if (i % 3 === 0) equal(result.status, "rejected", `crashing task ${i} rejected`);
        else deepEqual(result, { status: "fulfilled", value: i }, `task ${i}`);
      });
    },
    timeoutMs: 60_000,
  },
];
