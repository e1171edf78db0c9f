/**
 * Python's concurrent.futures (issue 17 item 3): ThreadPoolExecutor / ProcessPoolExecutor over
 * Pool, their Futures, and concurrent.futures.wait / asCompleted — on every runtime and kind.
 */
import { ProcessPoolExecutor, ThreadPoolExecutor, concurrent, type Future } from "@weft/core";
import { deepEqual, equal, eventually, ok, rejects, throws } from "../assert.js";
import type { CaseContext, CaseDefinition } from "../harness.js";
import type { Fixtures } from "./util.js";

const { wait, asCompleted, FIRST_COMPLETED, FIRST_EXCEPTION } = concurrent.futures;

/** The executor of this case's kind over the fixture module (Thread… for threads, Process… for processes). */
function fixtureExecutor(ctx: CaseContext, maxWorkers = 2): concurrent.futures.Executor<Fixtures> {
  // Where executors cannot make their own pool (a cluster), they run over the harness's pool of that size.
  const options = ctx.has("local-executors")
    ? { adapter: ctx.adapter, module: ctx.fixtures, maxWorkers }
    : { pool: ctx.pool<never>({ module: ctx.fixtures, size: maxWorkers }) };
  return ctx.kind === "thread" ? new ThreadPoolExecutor<Fixtures>(options) : new ProcessPoolExecutor<Fixtures>(options);
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

function* naturals(): Generator<number> {
  for (let n = 1; ; n++) yield n;
}

export const futuresCases: CaseDefinition[] = [
  {
    name: "concurrent.futures: submit, addDoneCallback and a lazy ordered map with chunksize; await using shuts down",
    async run(ctx) {
      let seen: Future<number> | undefined;
      {
        await using executor = fixtureExecutor(ctx);
        const future = executor.submit("add", 2, 3);
        future.addDoneCallback((f) => (seen = f));
        equal(await future, 5, "submit(fn, ...args)");
        equal(seen, future, "the done callback got the future");
        ok(future.done() && !future.cancelled() && !future.running(), "done, not cancelled, not running");
        const items = Array.from({ length: 10 }, (_, i) => i);
        deepEqual(await collect(executor.map("double", items, { chunksize: 3 })), items.map((n) => n * 2), "results in input order");
        const firstFive: number[] = [];
        for await (const doubled of executor.map("double", naturals(), { chunksize: 2 })) {
          firstFive.push(doubled);
          if (firstFive.length === 5) break; // an endless input: map is lazy
        }
        deepEqual(firstFive, [2, 4, 6, 8, 10], "map over an endless iterable, left early");
        equal(executor.maxWorkers, 2, "maxWorkers");
      }
    },
  },
  {
    name: "concurrent.futures: map's timeout throws TimeoutError and cancels what is still running",
    async run(ctx) {
      await using executor = fixtureExecutor(ctx);
      // Tasks that finish only when cancelled: the timeout is the only way out, whatever the load.
      const results = executor.map("sleepCooperative", [600_000, 600_000, 600_000], { timeout: 200 });
      await rejects(results.next(), "TimeoutError");
      equal((await results.next()).done, true, "the iteration is over");
      await eventually(() => executor.pool.stats.running === 0, "the timed-out task was cancelled", 10_000);
    },
  },
  {
    name: "concurrent.futures: wait and asCompleted take the executor's futures (completion order, timeouts, FIRST_EXCEPTION)",
    async run(ctx) {
      await using executor = fixtureExecutor(ctx);
      const never = executor.submit("waitForAbort") as Future<unknown>;
      const fast = executor.submit("add", 1, 2) as Future<unknown>;
      const completed = asCompleted([never, fast, fast]);
      equal((await completed.next()).value, fast, "the finished future comes first");
      const first = await wait([never, fast], { returnWhen: FIRST_COMPLETED });
      deepEqual([[...first.done], [...first.notDone]], [[fast], [never]], "FIRST_COMPLETED");
      const timed = await wait([never, fast], { timeout: 100 });
      ok(timed.notDone.has(never) && timed.done.has(fast), "a timeout returns what is not done, without throwing");
      ok(never.cancel(), "cancelled");
      const last = (await completed.next()).value as Future<unknown>;
      equal(last, never, "the cancelled future completes too");
      ok(last.cancelled(), "cancelled()");
      throws(() => last.exception(), "AbortError");
      equal((await completed.next()).done, true, "each future once");

      const failing = executor.submit("fail", "plain") as Future<unknown>;
      const hanging = executor.submit("waitForAbort") as Future<unknown>;
      const firstError = await wait([failing, hanging], { returnWhen: FIRST_EXCEPTION });
      ok(firstError.done.has(failing) && firstError.notDone.has(hanging), "FIRST_EXCEPTION returns on the failure");
      ok(failing.exception() instanceof Error, "exception() is the task's error");
      await rejects(asCompleted([hanging], { timeout: 100 }).next(), "TimeoutError");
      hanging.cancel();
      throws(() => wait([Promise.resolve(1)] as never), "InvalidArgumentError", /asyncio's wait/);
    },
  },
  {
    name: "concurrent.futures: shutdown({ cancelFutures }) cancels what has not started; later submits are refused",
    async run(ctx) {
      const executor = fixtureExecutor(ctx, 1);
      const running = executor.submit("sleepCooperative", 300);
      await eventually(() => running.running(), "the first task started", 20_000);
      const queued = [executor.submit("add", 1, 1), executor.submit("add", 2, 2)];
      await executor.shutdown({ cancelFutures: true });
      equal(await running, 300, "the running task finished");
      ok(queued.every((f) => f.cancelled()), "the queued tasks were cancelled");
      throws(() => executor.submit("add", 1, 1), "PoolClosedError", /after shutdown/);
      await executor.shutdown(); // again: harmless
    },
  },
  {
    name: "concurrent.futures: a worker that dies fails its own future only and the executor keeps serving (Python: BrokenProcessPool)",
    async run(ctx) {
      await using executor = fixtureExecutor(ctx, 1);
      await rejects(executor.submit("exitWorker", 3), "WorkerExitError");
      equal(await executor.submit("add", 20, 22), 42, "served by a replacement worker");
      throws(() => new ThreadPoolExecutor({ maxWorkers: 0, adapter: ctx.adapter }), "InvalidArgumentError", /maxWorkers/);
    },
  },
];
