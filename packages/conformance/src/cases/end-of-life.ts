import { Process, Thread } from "@weft/core";
import { deepEqual, equal, ok, rejects } from "../assert.js";
import type { CaseDefinition } from "../harness.js";
import { exitCodes, fixturePool, sleep, watchWorkers } from "./util.js";

/** The code a task passes to exit, where the runtime has an exit call that takes one. */
const EXIT_CODE = 7;

export const endOfLifeCases: CaseDefinition[] = [
  {
    name: "end of life: exit() with results still unsent rejects only the exiting task, never returns to it; batch-mates and later tasks get theirs",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const workers = watchWorkers(pool);
      // Submitted in one turn, so one worker holds them as one batch: the results of `before` are
      // still unsent (batched, or in flight over IPC) when the exit is called.
      const before = Array.from({ length: 5 }, (_, i) => pool.apply("echo", [i]));
      const exiting = pool.apply("exitThenReturn", [EXIT_CODE]);
      const after = Array.from({ length: 5 }, (_, i) => pool.apply("echo", [10 + i]));
      const settled = await Promise.allSettled([...before, exiting, ...after]);
      deepEqual(
        settled.map((result) => result.status),
        [...before.map(() => "fulfilled"), "rejected", ...after.map(() => "fulfilled")],
        `only the exiting task rejects: ${JSON.stringify(settled.map((r) => (r.status === "rejected" ? String(r.reason) : r.value)))}`,
      );
      deepEqual(await Promise.all(before), [0, 1, 2, 3, 4], "finished batch-mates got their results");
      deepEqual(await Promise.all(after), [10, 11, 12, 13, 14], "later tasks ran, none blamed");
      const error = await rejects(exiting, "WorkerExitError");
      if (exitCodes(ctx).reported && ctx.adapter.runtime !== "browser") {
        equal((error as Error & { exitCode: number }).exitCode, EXIT_CODE, "the exit code the task gave");
      }
      equal(await pool.apply("ranAfterExit", []), false, "the replacement worker is fresh");
      if (ctx.has("worker-events")) equal(workers.started.length, 2, "one replacement worker");
    },
  },
  {
    name: "end of life: exit() from a task never runs the code after it, even alone in its worker",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      for (let round = 0; round < 3; round++) {
        const error = await rejects(pool.apply("exitThenReturn", [EXIT_CODE]), "WorkerExitError");
        ok(!/code after exit ran/.test(error.message), "the task's return value never arrives");
      }
      equal(await pool.apply("echo", ["after"]), "after", "the pool keeps serving");
    },
  },
  {
    name: "end of life: the portable exit(code) ends the worker like the runtime's exit, on every runtime and kind",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const before = pool.apply("echo", ["before"]);
      const error = await rejects(pool.apply("exitPortably", [EXIT_CODE]), "WorkerExitError");
      ok(!/code after exit ran|no weft exit/.test(error.message), `the task neither returns nor finds no exit: ${error.message}`);
      equal(await before, "before", "a batch-mate that finished first gets its result");
      if (exitCodes(ctx).reported && ctx.adapter.runtime !== "browser") {
        equal((error as Error & { exitCode: number }).exitCode, EXIT_CODE, "the exit code the task gave");
      }
      equal(await pool.apply("ranAfterExit", []), false, "the replacement worker is fresh");
      if (!ctx.has("thread-objects")) return;
      const Kind = ctx.kind === "thread" ? Thread : Process;
      const lone = new Kind({ adapter: ctx.adapter, module: ctx.fixtures, target: "exitPortably", args: [EXIT_CODE] }).start();
      await rejects(lone.join(), "WorkerExitError");
      if (exitCodes(ctx).reported && ctx.adapter.runtime !== "browser") equal(lone.exitCode, EXIT_CODE, "a Thread/Process ends with the code given");
    },
  },
  {
    name: "end of life: a CPU-bound thread stops after a run timeout and after terminate()",
    kinds: ["thread"],
    async run(ctx) {
      const caps = ctx.adapter.capabilities;
      if (!caps.sharedMemory) ctx.skip(caps.notes?.sharedMemory ?? "no shared memory here, so whether the thread still runs cannot be seen");
      if (caps.stopsBusyThreads === false) ctx.skip(caps.notes?.stopsBusyThreads ?? "this runtime cannot stop a busy thread");
      const stopped = async (counter: Int32Array, what: string) => {
        // The counter moves while the thread runs; once it stands still across a pause, the thread is gone.
        // Three still pauses in a row, so that a thread merely descheduled on a busy machine does not pass.
        let last = Atomics.load(counter, 0);
        let still = 0;
        for (let attempt = 0; attempt < 50; attempt++) {
          await sleep(200);
          const now = Atomics.load(counter, 0);
          still = now === last ? still + 1 : 0;
          if (still === 3) return;
          last = now;
        }
        throw new Error(`${what}: the thread still runs (its counter kept moving for 10 s)`);
      };
      {
        await using pool = fixturePool(ctx, { size: 1 });
        const counter = new Int32Array(new SharedArrayBuffer(4));
        await rejects(pool.apply("spinCounting", [counter], { timeout: 100 }), "TimeoutError");
        ok(Atomics.load(counter, 0) > 0, "the task ran");
        await stopped(counter, "after a run timeout");
        equal(await pool.apply("echo", ["after"]), "after", "the pool keeps serving");
      }
      {
        const pool = fixturePool(ctx, { size: 1 });
        const counter = new Int32Array(new SharedArrayBuffer(4));
        const running = pool.apply("spinCounting", [counter]);
        running.catch(() => undefined);
        while (Atomics.load(counter, 0) === 0) await sleep(10);
        await pool.terminate();
        await stopped(counter, "after terminate()");
      }
    },
  },
];
