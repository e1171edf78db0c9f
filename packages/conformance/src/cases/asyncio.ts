import { TaskGroup, asyncio, gather, sleep, timeout } from "@weft/core";
import { deepEqual, equal, ok, rejects } from "../assert.js";
import type { CaseDefinition } from "../harness.js";
import { fixturePool } from "./util.js";

// The asyncio layer runs on the caller's own event loop, so these cases do not depend on the
// worker kind; they run once per runtime (under the "thread" column) except the pool bridge.

export const asyncioCases: CaseDefinition[] = [
  {
    name: "asyncio: a failing child cancels its TaskGroup siblings, whose finally blocks run (Python's TaskGroup)",
    kinds: ["thread"],
    async run() {
      const cleaned: string[] = [];
      const error = await rejects(
        TaskGroup.run(async (group) => {
          group.createTask(async (signal) => {
            try {
              await sleep(5_000, { signal });
            } finally {
              cleaned.push("slow");
            }
          });
          group.createTask(async () => {
            await sleep(10);
            throw new RangeError("child failed");
          });
        }),
        "AggregateError",
      );
      const members = (error as AggregateError).errors as Error[];
      deepEqual(members.map((e) => e.name), ["RangeError"], "only the failure, not the cancellation");
      deepEqual(cleaned, ["slow"], "the cancelled sibling ran its finally");
    },
  },
  {
    name: "asyncio: gather keeps input order; returnExceptions returns errors in place (Python's gather)",
    kinds: ["thread"],
    async run() {
      const values = await gather([sleep(30, { value: "a" }), sleep(5, { value: "b" })]);
      deepEqual(values, ["a", "b"], "results in input order, not completion order");
      const mixed = await gather([sleep(5, { value: 1 }), Promise.reject(new TypeError("no"))], { returnExceptions: true });
      equal(mixed[0], 1);
      ok(mixed[1] instanceof TypeError, "the error sits in its place");
    },
  },
  {
    name: "asyncio: timeout cancels the inner work, then raises TimeoutError (Python's asyncio.timeout)",
    kinds: ["thread"],
    async run() {
      let innerSaw: string | undefined;
      await rejects(
        timeout(30, async (signal) => {
          try {
            await sleep(5_000, { signal });
          } catch (error) {
            innerSaw = (error as Error).name;
            throw error;
          }
        }),
        "TimeoutError",
      );
      equal(innerSaw, "AbortError", "the inner work observed its cancellation first");
    },
  },
  {
    name: "asyncio: Lock serves waiters in FIFO order; an aborted waiter takes nothing",
    kinds: ["thread"],
    async run() {
      const lock = new asyncio.Lock();
      const order: number[] = [];
      const held = await lock.acquire();
      const controller = new AbortController();
      const waiters = [1, 2, 3].map((n) =>
        lock.acquire(n === 2 ? { signal: controller.signal } : undefined).then(
          (h) => {
            order.push(n);
            h.release();
          },
          () => order.push(-n),
        ),
      );
      controller.abort();
      held.release();
      await Promise.all(waiters);
      deepEqual(order, [-2, 1, 3], "the aborted waiter left; the others went in order");
      equal(lock.locked(), false);
    },
  },
  {
    name: "asyncio bridge: cancelling a TaskGroup cancels its pool tasks (queued never run, running see their signal)",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      await pool.apply("echo", [0]); // the worker is up and the module loaded: the first task will really start
      const error = await rejects(
        TaskGroup.run(async (group) => {
          group.createTask((signal) => pool.apply("waitForAbort", [], { signal }));
          group.createTask((signal) => pool.apply("recordCall", ["queued"], { signal }));
          group.createTask(async () => {
            await sleep(100);
            throw new Error("stop the group");
          });
        }),
        "AggregateError",
      );
      deepEqual(((error as AggregateError).errors as Error[]).map((e) => e.message), ["stop the group"], "only the real failure is reported");
      equal(await pool.apply("cleanedUp", []), true, "the running pool task saw its signal and cleaned up in the worker");
      deepEqual(await pool.apply("calls", []), [], "the queued pool task never ran");
    },
  },
];
