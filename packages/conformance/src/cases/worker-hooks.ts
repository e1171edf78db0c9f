/**
 * A pool's worker hooks and progress (issue 17 items 2 and 4): the initializer runs once in every
 * worker before its first task, replacements included; a failing one rejects the waiting tasks
 * with WorkerStartError and starts a bounded number of workers; the teardown runs when a worker
 * is retired normally, never on terminate; progress values arrive in order, before the result.
 */
import fc from "fast-check";
import { ProcessPoolExecutor, ThreadPoolExecutor, multiprocessing } from "@weft/core";
import { deepEqual, equal, eventually, ok, rejects } from "../assert.js";
import { buildGenerated, differenceFrom, generatedArbitrary } from "../codec-model.js";
import type { CaseContext, CaseDefinition } from "../harness.js";
import { type Fixtures, fixturePool, sleep, watchWorkers } from "./util.js";

type LogEntry = [string, string];

/** Everything the hooks logged, once the pool is closed. */
async function logged(log: multiprocessing.Queue<LogEntry>): Promise<LogEntry[]> {
  await log.close();
  const entries: LogEntry[] = [];
  for await (const entry of log) entries.push(entry);
  return entries;
}

function tokens(entries: LogEntry[], kind: "init" | "teardown"): string[] {
  return entries.filter(([what]) => what === kind).map(([, token]) => token);
}

/** The pool's "error" events' details. */
function errorEvents(pool: EventTarget): { source: string; error: Error; worker?: number; id?: number | string }[] {
  const seen: { source: string; error: Error }[] = [];
  pool.addEventListener("error", (event) => seen.push((event as CustomEvent).detail));
  return seen;
}

/** A Queue the hooks log to, where the pool's workers can reach one (see remotePoolLacks). */
function hookLog(ctx: CaseContext): multiprocessing.Queue<LogEntry> | undefined {
  return ctx.has("local-channels") ? new multiprocessing.Queue<LogEntry>() : undefined;
}

/** At most this many workers start for one failing submission burst: a pool's worth, then the start-failure limit's. */
const boundedStarts = (size: number) => size + 3;

/** The pace TaskContext.progress documents: a task's first 100 values all go, then at most one per 16 ms. */
const PROGRESS_BURST = 100;
const PROGRESS_INTERVAL_MS = 16;

async function failingInitializer(ctx: CaseContext, asynchronous: boolean): Promise<void> {
  const pool = fixturePool(ctx, { size: 2, initializer: "failingInit", initargs: ["no database today", asynchronous] });
  const workers = watchWorkers(pool);
  const tasks = Array.from({ length: 5 }, (_, i) => pool.apply("echo", [i]));
  await Promise.allSettled(tasks);
  for (const task of tasks) {
    const error = await rejects(task, "WorkerStartError", /initializer "failingInit" failed/);
    ok(error.cause instanceof Error, "its cause is the initializer's error");
    equal((error.cause as Error).name, "RangeError");
    equal((error.cause as Error).message, "no database today");
  }
  if (ctx.has("worker-events")) ok(workers.started.length <= boundedStarts(2), `no hot loop: ${workers.started.length} workers started`);
  // Submitting again tries once more, and fails the same bounded way.
  const before = workers.started.length;
  await rejects(pool.apply("echo", [1]), "WorkerStartError");
  if (ctx.has("worker-events")) ok(workers.started.length - before <= 2, `a new submission starts a pool's worth at most: ${workers.started.length - before}`);
  await pool.close();
}

export const workerHookCases: CaseDefinition[] = [
  {
    name: "worker hooks: an initializer that never finishes cannot hold a task past its run timeout (TimeoutError naming it), and close() returns",
    timeoutMs: 60_000,
    async run(ctx) {
      const pool = fixturePool(ctx, { size: 1, initializer: "initializeForever", abortGrace: 200 });
      await rejects(pool.apply("echo", [1], { timeout: 500 }), "TimeoutError", /initializer "initializeForever"/);
      await rejects(pool.apply("echo", [2], { timeout: 500 }), "TimeoutError", /initializer "initializeForever"/);
      // The pool's workers are stuck in the initializer: close() stops them (no teardown to wait for).
      let closed = false;
      await Promise.race([pool.close().then(() => (closed = true)), new Promise((resolve) => setTimeout(resolve, 30_000))]);
      ok(closed, "close() returned within 30 s");
    },
  },
  {
    name: "worker hooks: the initializer runs once in each worker, before its first task, with initargs; the teardown runs on close",
    async run(ctx) {
      // The log is a local channel: a remote pool's workers run the hooks without one, and what
      // their tasks see is checked (the teardown's runs are not seen from here).
      const log = hookLog(ctx);
      const pool = fixturePool(ctx, { size: 2, initializer: "initWorker", initargs: log ? ["w", log] : ["w"], teardown: "teardownWorker" });
      const workers = watchWorkers(pool);
      const states = await Promise.all(Array.from({ length: 20 }, () => pool.apply("initState", [])));
      for (const state of states) equal(state.runs, 1, "the initializer ran once in this worker, and was awaited before its first task");
      const seen = new Set(states.map((state) => state.token));
      ok(seen.size >= 1 && seen.size <= 2, `tasks ran in at most the pool's 2 workers (${seen.size})`);
      ok([...seen].every((token) => token?.startsWith("w:")), "with its initargs");
      await pool.close();
      if (!log) return;
      const entries = await logged(log);
      const inits = tokens(entries, "init");
      equal(inits.length, workers.started.length, "one initializer run per worker started");
      equal(new Set(inits).size, inits.length, "each in its own worker");
      deepEqual(tokens(entries, "teardown").sort(), [...inits].sort(), "close() ran the teardown in every worker");
    },
  },
  {
    name: "worker hooks: replacement workers run the initializer too (maxTasksPerWorker, idle timeout, a crash); a crashed one runs no teardown",
    async run(ctx) {
      const log = hookLog(ctx);
      const pool = fixturePool(ctx, { size: 1, maxTasksPerWorker: 2, idleTimeout: 50, initializer: "initWorker", initargs: log ? ["r", log] : ["r"], teardown: "teardownWorker" });
      const workers = watchWorkers(pool);
      const states = [];
      for (let i = 0; i < 6; i++) states.push(await pool.apply("initState", []));
      for (const state of states) equal(state.runs, 1, "every worker ran its initializer once");
      const perWorker = new Map<string | undefined, number>();
      for (const state of states) perWorker.set(state.token, (perWorker.get(state.token) ?? 0) + 1);
      // Three workers at least; more if the loaded machine let one idle out between two tasks.
      ok(perWorker.size >= 3 && [...perWorker.values()].every((n) => n <= 2), "maxTasksPerWorker 2: no worker ran more than two tasks");
      const beforeIdle = await pool.apply("initState", []);
      // A remote pool's workers are not seen from here: there the wait is long beside the 50 ms idle timeout.
      if (ctx.has("worker-events")) await eventually(() => workers.exited.length === workers.started.length, "the worker idled out", 10_000);
      else await sleep(1_000);
      const afterIdle = await pool.apply("initState", []);
      ok(afterIdle.token !== beforeIdle.token, "a new worker after the idle timeout");
      equal(afterIdle.runs, 1, "the worker started after the idle timeout ran the initializer");
      await rejects(pool.apply("crashInTimer", []), "WorkerExitError");
      const afterCrash = await pool.apply("initState", []);
      equal(afterCrash.runs, 1, "the worker replacing a crashed one ran the initializer");
      await pool.close();
      if (!log) return;
      const entries = await logged(log);
      const inits = tokens(entries, "init");
      const teardowns = tokens(entries, "teardown");
      equal(inits.length, workers.started.length, "one initializer run per worker started");
      equal(teardowns.length, inits.length - 1, "every worker but the crashed one ran its teardown (task limit, idle timeout, close)");
      ok(teardowns.every((token) => inits.includes(token)), "teardowns ran in initialized workers");
    },
  },
  {
    name: "worker hooks: an initializer that throws rejects the waiting tasks with WorkerStartError (cause: its error), with a bounded number of starts",
    async run(ctx) {
      await failingInitializer(ctx, false);
    },
  },
  {
    name: "worker hooks: an async initializer that rejects does the same; an initializer the module does not export is a WorkerStartError",
    async run(ctx) {
      await failingInitializer(ctx, true);
      await using pool = fixturePool(ctx, { size: 1, initializer: "noSuchInitializer" });
      const error = await rejects(pool.apply("echo", [1]), "WorkerStartError", /noSuchInitializer/);
      equal((error.cause as Error).name, "TaskReferenceError");
    },
  },
  {
    name: "worker hooks: a teardown that throws is the pool's error event and fails no task; terminate() runs no teardown",
    async run(ctx) {
      const pool = fixturePool(ctx, { size: 1, teardown: "failingTeardown" });
      const errors = errorEvents(pool);
      equal(await pool.apply("add", [1, 2]), 3);
      await pool.close();
      // A remote pool's workers and their error events stay on their node: there the task's success and the close are checked.
      if (ctx.has("worker-events")) {
        equal(errors.length, 1, "one error event");
        equal(errors[0]!.source, "teardown");
        equal(errors[0]!.error.name, "RangeError");
      }
      const log = hookLog(ctx);
      const terminated = fixturePool(ctx, { size: 1, initializer: "initWorker", initargs: log ? ["t", log] : ["t"], teardown: "teardownWorker" });
      equal((await terminated.apply("initState", [])).runs, 1);
      await terminated.terminate();
      if (!log) return;
      const entries = await logged(log);
      equal(tokens(entries, "init").length, 1);
      equal(tokens(entries, "teardown").length, 0, "terminate() ran no teardown");
    },
  },
  {
    name: "worker hooks: an inline initializer; bad hook options are named errors up front",
    async run(ctx) {
      if (ctx.has("inline-functions")) {
        await using pool = fixturePool(ctx, {
          size: 1,
          initializer: (value: number) => void ((globalThis as { __weftInline?: number }).__weftInline = value),
          initargs: [42],
        });
        equal(await pool.apply(() => (globalThis as { __weftInline?: number }).__weftInline, []), 42);
      }
      for (const bad of [{ initializer: 42 }, { initializer: "" }, { teardown: {} }, { initializer: "initWorker", initargs: "x" }, { initargs: [] }]) {
        let thrown: unknown;
        try {
          fixturePool(ctx, bad as never);
        } catch (error) {
          thrown = error;
        }
        equal((thrown as Error | undefined)?.name, "InvalidArgumentError", `refused: ${JSON.stringify(bad)}`);
      }
    },
  },
  {
    name: "worker hooks: concurrent.futures executors pass initializer and initargs on; a failing one rejects the pending futures with WorkerStartError",
    needs: ["local-executors"],
    async run(ctx) {
      const executor = (options: { initializer: string; initargs: unknown[] }) => {
        const all = { adapter: ctx.adapter, module: ctx.fixtures, maxWorkers: 1, ...options };
        return ctx.kind === "thread" ? new ThreadPoolExecutor<Fixtures>(all) : new ProcessPoolExecutor<Fixtures>(all);
      };
      {
        await using working = executor({ initializer: "initWorker", initargs: ["e"] });
        equal((await working.submit("initState")).runs, 1, "the initializer ran before the first task");
      }
      await using broken = executor({ initializer: "failingInit", initargs: ["nope", false] });
      const error = await rejects(broken.submit("echo", 1), "WorkerStartError");
      equal((error.cause as Error).message, "nope", "cause: the initializer's error");
    },
  },
  {
    name: "progress: generated values a task reports arrive equal, in order, and before its result",
    timeoutMs: 60_000,
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 2 });
      const seed = Date.now() % 2 ** 31;
      const lists = fc.sample(fc.array(generatedArbitrary(), { maxLength: 12 }), { numRuns: 30, seed }).map((list) => list.map(buildGenerated));
      for (const [n, values] of lists.entries()) {
        // One at a time (the fast lane on threads: its result must still follow its progress), a slow one, and a batch.
        for (const task of ["reportProgress", "reportProgressSlowly"] as const) {
          const received: unknown[] = [];
          let resultArrived = false;
          let late = 0;
          // (An assertion thrown in onProgress would only become an "error" event: count instead.)
          const count = await pool.apply(task, [values], {
            onProgress: (value) => {
              if (resultArrived) late++;
              received.push(value);
            },
          });
          resultArrived = true;
          await new Promise((resolve) => setTimeout(resolve, 0));
          equal(late, 0, "no progress after the result");
          equal(count, values.length);
          equal(received.length, values.length, `${task}: every value arrived before the result (seed ${seed}, list ${n})`);
          received.forEach((value, i) => {
            const difference = differenceFrom(value, values[i], `progress value ${i}`);
            ok(difference === undefined, `${task}: ${difference} (fast-check seed ${seed}, list ${n})`);
          });
        }
      }
      const batch = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const got: number[] = [];
          await pool.apply("reportProgress", [[i, i + 1, i + 2]], { onProgress: (value) => got.push(value as number) });
          return got;
        }),
      );
      batch.forEach((got, i) => deepEqual(got, [i, i + 1, i + 2], "a batch: each task's own values, in order, before its result"));
    },
  },
  {
    name: "progress: a flood of a million values is paced — the first 100 and then the latest per 16 ms arrive, in order, the last one before the result",
    timeoutMs: 180_000,
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const count = ctx.scale === "quick" ? 200_000 : 1_000_000;
      await pool.apply("echo", [0]);
      for (const yieldEvery of [0, 5_000]) {
        // The baseline, in this run: the same flood with nobody listening (each value is still checked, then dropped).
        let started = performance.now();
        await pool.apply("reportFlood", [count, yieldEvery]);
        const unheard = performance.now() - started;
        const received: number[] = [];
        let settled = false;
        let late = 0;
        started = performance.now();
        const onProgress = (value: unknown) => {
          if (settled) late++;
          received.push(value as number);
        };
        equal(await pool.apply("reportFlood", [count, yieldEvery], { onProgress }), count);
        settled = true;
        const heard = performance.now() - started;
        ctx.measure(`progress flood of ${count} (yield every ${yieldEvery}) ms`, heard);
        await new Promise((resolve) => setTimeout(resolve, 0));
        equal(late, 0, "no progress after the result");
        deepEqual(received.slice(0, PROGRESS_BURST), Array.from({ length: PROGRESS_BURST }, (_, i) => i), "the first 100 values all arrive");
        equal(received.at(-1), count - 1, "the last value arrives");
        ok(received.every((value, i) => i === 0 || value > received[i - 1]!), "in order, none twice");
        // One value per 16 ms after the burst: even 30 s of flood would be ~2,000; a million unpaced would be a million.
        ok(received.length < count / 100, `${received.length} of ${count} values were sent: paced`);
        // Generous: paced, a flood sends a few hundred messages more than the unheard one; unpaced,
        // it took 30 s and more on a Node process worker against well under 1 s unheard.
        const limit = 5 * unheard + 3_000;
        ok(heard <= limit, `heard, the flood took ${heard.toFixed(0)} ms; unheard, ${unheard.toFixed(0)} ms (limit ${limit.toFixed(0)} ms)`);
      }
    },
  },
  {
    name: "progress: a task that never yields keeps reporting past the burst, at most one value per 16 ms, and its last value arrives before the result",
    timeoutMs: 60_000,
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const received: number[] = [];
      let settled = false;
      let late = 0;
      const onProgress = (value: unknown) => {
        if (settled) late++;
        received.push(value as number);
      };
      const report = (await pool.apply("reportWhileSpinning", [250], { onProgress })) as { sent: number; ms: number };
      settled = true;
      await new Promise((resolve) => setTimeout(resolve, 0));
      equal(late, 0, "no progress after the result");
      ok(report.sent > PROGRESS_BURST, `the task reported past the burst (${report.sent} values)`);
      deepEqual(received.slice(0, PROGRESS_BURST), Array.from({ length: PROGRESS_BURST }, (_, i) => i), "the first 100 values all arrive");
      ok(received.every((value, i) => i === 0 || value > received[i - 1]!), "in order, none twice");
      equal(received.at(-1), report.sent - 1, "the last value sent is the last one received");
      // The pace holds for a task that never lets its event loop turn (the worker reads the clock at each call)…
      const bound = PROGRESS_BURST + Math.floor(report.ms / PROGRESS_INTERVAL_MS) + 2;
      ok(received.length <= bound, `${received.length} values arrived from a ${report.ms.toFixed(0)} ms loop: at most ${bound}`);
      // …and so does the liveness: 250 ms past the burst, values kept going out, not only the last.
      ok(received.length > PROGRESS_BURST + 1, `values kept coming after the burst (${received.length} arrived)`);
    },
  },
  {
    name: "progress: a value that cannot be carried throws DataCloneError in the task only; a throwing onProgress is the pool's error event",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const errors = errorEvents(pool);
      const received: unknown[] = [];
      equal(await pool.apply("reportUncloneable", ["after"], { onProgress: (value) => received.push(value) }), "DataCloneError");
      deepEqual(received, ["after"], "the task went on and its next value arrived");
      equal(await pool.apply("reportProgress", [[1, 2, 3]], { onProgress: () => { throw new RangeError("listener bug"); } }), 3, "the task completed");
      equal(errors.length, 3, "each throwing call was reported");
      ok(errors.every((detail) => detail.source === "onProgress" && detail.error.name === "RangeError" && ["number", "string"].includes(typeof detail.id)), "as onProgress errors, naming the task");
      equal(await pool.apply("reportProgress", [[1, 2]]), 2, "nobody listens: the values are dropped");
    },
  },
  {
    name: "progress: map, starmap, imap and imapUnordered report { done, total } up to the total",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 2 });
      const items = Array.from({ length: 25 }, (_, i) => i);
      const check = (seen: { done: number; total: number | undefined }[], what: string, totalKnown = true) => {
        ok(seen.length > 0, `${what}: reported`);
        const last = seen.at(-1)!;
        deepEqual(last, { done: 25, total: 25 }, `${what}: reaches the total`);
        for (let i = 1; i < seen.length; i++) ok(seen[i]!.done >= seen[i - 1]!.done, `${what}: done never goes back`);
        if (totalKnown) ok(seen.every((p) => p.total === 25), `${what}: the total is known from the start`);
      };
      const mapped: { done: number; total: number | undefined }[] = [];
      deepEqual(await pool.map("double", items, { chunksize: 4, onProgress: (p) => mapped.push(p) }), items.map((n) => n * 2));
      check(mapped, "map");
      const starred: { done: number; total: number | undefined }[] = [];
      await pool.starmap("add", items.map((n) => [n, 1] as [number, number]), { onProgress: (p) => starred.push(p) });
      check(starred, "starmap");
      for (const method of ["imap", "imapUnordered"] as const) {
        const seen: { done: number; total: number | undefined }[] = [];
        async function* source() {
          yield* items;
        }
        const results: number[] = [];
        for await (const value of pool[method]("double", source(), { chunksize: 3, buffer: 2, onProgress: (p) => seen.push(p) })) results.push(value);
        equal(results.length, 25);
        check(seen, method, false);
        ok(seen.some((p) => p.total === undefined), `${method}: the total is unknown while the input runs`);
      }
    },
  },
];
