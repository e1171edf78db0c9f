/**
 * multiprocessing.Manager: its proxies (dict, list, Namespace, Value, Lock, RLock, Queue) shared by
 * the main side and workers of every kind, nested proxies, exact updates under a manager Lock, and
 * what happens after shutdown — named errors, never a hung call.
 */
import fc from "fast-check";
import { Manager, Pool, Process, Thread, multiprocessing } from "@weft/core";
import { deepEqual, equal, ok, rejects, throws } from "../assert.js";
import type { CaseContext, CaseDefinition } from "../harness.js";

type ManagerTasks = typeof import("../fixtures/manager-tasks.js");
type Op = import("../fixtures/manager-tasks.js").Op;

function managerPool(ctx: CaseContext, size: number): Pool<ManagerTasks> {
  return new Pool<ManagerTasks>({ adapter: ctx.adapter, kind: ctx.kind, module: new URL("./manager-tasks.js", ctx.fixtures), size });
}

// ----- the model the generated sequences replay -------------------------------------------------

/** Python's list semantics for the ops the generated sequences use; "!Name" for an error. */
function applyToModel(dict: Map<string, number>, list: number[], op: Op): unknown {
  if (op.on === "dict") {
    if (op.op === "set") {
      dict.set(op.key, op.value);
      return null;
    }
    const had = dict.has(op.key);
    const value = dict.get(op.key);
    dict.delete(op.key);
    return op.op === "delete" ? had : had ? value : null;
  }
  if (op.op === "append") {
    list.push(op.value);
    return null;
  }
  if (op.op === "insert") {
    const at = op.index < 0 ? Math.max(0, list.length + op.index) : Math.min(op.index, list.length);
    list.splice(at, 0, op.value);
    return null;
  }
  const at = op.index < 0 ? list.length + op.index : op.index;
  if (at < 0 || at >= list.length) return "!InvalidArgumentError";
  if (op.op === "set") {
    list[at] = op.value;
    return null;
  }
  return list.splice(at, 1)[0];
}

const opArbitrary: fc.Arbitrary<Op> = (() => {
  const key = fc.constantFrom("a", "b", "c");
  const value = fc.integer({ min: -100, max: 100 });
  const index = fc.integer({ min: -4, max: 4 });
  return fc.oneof(
    fc.record({ on: fc.constant("dict" as const), op: fc.constant("set" as const), key, value }),
    fc.record({ on: fc.constant("dict" as const), op: fc.constantFrom("delete" as const, "pop" as const), key }),
    fc.record({ on: fc.constant("list" as const), op: fc.constant("append" as const), value }),
    fc.record({ on: fc.constant("list" as const), op: fc.constantFrom("insert" as const, "set" as const), index, value }),
    fc.record({ on: fc.constant("list" as const), op: fc.constant("pop" as const), index }),
  );
})();

export const managerCases: CaseDefinition[] = [
  {
    name: "manager: a dict, list, Namespace and Value are shared by the main side and workers",
    needs: ["local-channels"],
    async run(ctx) {
      await using manager = new Manager();
      const d = manager.dict<string, unknown>({ from: "main" });
      const l = manager.list<number>([1, 2]);
      const ns = manager.Namespace({ x: 1 });
      const v = manager.Value("i", 5);
      await using pool = managerPool(ctx, 2);
      equal(await pool.apply("appendAll", [l as never, [3, 4, 5]]), 5, "the worker sees the main side's items and adds its own");
      deepEqual(await l.toArray(), [1, 2, 3, 4, 5], "the main side sees the worker's items");
      await pool.apply("store", [d as never, "from-worker", { nested: [1, { deep: true }] }]);
      deepEqual(await d.get("from-worker"), { nested: [1, { deep: true }] }, "a worker's value, copied");
      deepEqual(await d.keys(), ["from", "from-worker"], "insertion order");
      equal(await d.get("missing"), undefined);
      equal(await d.get("missing", 7), 7, "Python's d.get(k, default)");
      equal(await d.setdefault("from", "other"), "main", "setdefault keeps what is there");
      equal(await d.len(), 2);
      await ns.set("y", "two");
      deepEqual(await ns.toObject(), { x: 1, y: "two" });
      equal(await v.get(), 5);
      await v.set(6);
      equal(await v.get(), 6);
      equal(v.typecode, "int32", "Python's 'i' is weft's int32");
      await rejects(v.set(1.5), "InvalidArgumentError", /int32/);
      // A value handed to the manager is a copy: changing it here changes nothing there.
      const item = { n: 1 };
      await d.set("item", item);
      item.n = 2;
      deepEqual(await d.get("item"), { n: 1 }, "the dict kept its own copy");
      await l.sort({ reverse: true });
      deepEqual(await l.toArray(), [5, 4, 3, 2, 1]);
      equal(await l.pop(), 1);
      equal(await l.get(-1), 2, "negative indices count from the end");
      await rejects(l.get(10), "InvalidArgumentError", /out of range/);
    },
  },
  {
    name: "manager: updates under a manager Lock are exact under concurrency (4 workers × 50 increments)",
    needs: ["local-channels"],
    timeoutMs: 120_000,
    async run(ctx) {
      await using manager = new Manager();
      const counts = manager.dict<string, number>();
      const lock = manager.Lock();
      await using pool = managerPool(ctx, 4);
      const workers = Array.from({ length: 4 }, () => pool.apply("incrementUnderLock", [counts as never, lock as never, "n", 50]));
      // The main side takes part too, with `await using` on the lock.
      for (let i = 0; i < 10; i++) {
        await using _held = await lock.hold();
        await counts.set("n", ((await counts.get("n")) ?? 0) + 1);
      }
      deepEqual(await Promise.all(workers), [50, 50, 50, 50]);
      equal(await counts.get("n"), 210, "every increment counted once");
      equal(await lock.locked(), false, "released at the end");
    },
  },
  {
    name: "manager: proxies nest — a list proxy stored in a dict works when another worker reads it back",
    needs: ["local-channels"],
    async run(ctx) {
      await using manager = new Manager();
      const d = manager.dict<string, unknown>();
      const inner = manager.list<string>(["main"]);
      await using pool = managerPool(ctx, 2);
      await pool.apply("store", [d as never, "inner", inner as never]);
      deepEqual(await pool.apply("appendThroughStored", [d as never, "inner", "worker"]), ["main", "worker"], "the worker reached the list through the dict");
      const back = (await d.get("inner")) as multiprocessing.ListProxy<string>;
      ok(back instanceof multiprocessing.ListProxy && back.sameReferent(inner), "read back on the main side, it is a proxy of the same list");
      await back.append("main again");
      deepEqual(await inner.toArray(), ["main", "worker", "main again"]);
      // A Thread or Process target takes proxies as arguments as a pool task does.
      const Kind = ctx.kind === "thread" ? Thread : Process;
      const target = new Kind({ adapter: ctx.adapter, module: new URL("./manager-tasks.js", ctx.fixtures), target: "appendAll", args: [inner, ["target"]] }).start();
      equal(await target.join(), 4);
      equal(await inner.get(-1), "target");
    },
  },
  {
    name: "manager: a Queue and an RLock are shared by workers and the main side",
    needs: ["local-channels"],
    async run(ctx) {
      await using manager = new Manager();
      const queue = manager.Queue<number>();
      const rlock = manager.RLock();
      await using pool = managerPool(ctx, 2);
      const taken = await Promise.all([pool.apply("putThenTake", [queue as never, 0, 20]), pool.apply("putThenTake", [queue as never, 100, 20])]);
      const all = [...taken[0]!, ...taken[1]!].sort((a, b) => a - b);
      deepEqual(all, [...Array.from({ length: 20 }, (_, i) => i), ...Array.from({ length: 20 }, (_, i) => 100 + i)], "every item taken exactly once");
      equal(await queue.qsize(), 0);
      await rejects(queue.get({ timeout: 10 }), "TimeoutError");
      ok(await rlock.acquire(), "acquired");
      ok(await rlock.acquire(), "the side that holds an RLock may take it again");
      await rlock.release();
      await rlock.release();
      await rejects(rlock.release(), "NotOwnerError");
      const bounded = manager.Queue<number>({ maxsize: 1 });
      await bounded.put(1);
      ok(await bounded.full(), "full at maxsize");
      await rejects(bounded.put(2, { timeout: 10 }), "TimeoutError");
      await queue.put(1);
      await queue.close();
      const rest: number[] = [];
      for await (const item of queue) rest.push(item);
      deepEqual(rest, [1], "iteration drains a closed queue, then ends");
    },
  },
  {
    name: "manager: after shutdown every proxy call rejects with ManagerClosedError, on the main side and in a worker",
    needs: ["local-channels"],
    async run(ctx) {
      const manager = new Manager();
      const d = manager.dict<string, number>({ a: 1 });
      await using pool = managerPool(ctx, 1);
      equal(await pool.apply("readDict", [d as never, "a"]), "ok");
      await manager.shutdown();
      ok(manager.closed, "closed");
      await rejects(d.get("a"), "ManagerClosedError", /shut down/);
      const inWorker = await pool.apply("readDict", [d as never, "a"]);
      ok(inWorker.startsWith("ManagerClosedError:"), `a worker gets ManagerClosedError, got ${inWorker}`);
      throws(() => manager.dict(), "ManagerClosedError");
      await manager.shutdown(); // idempotent
    },
  },
  {
    name: "manager: a worker waiting on a manager Lock or Queue get when the manager shuts down gets ManagerClosedError (nothing hangs)",
    needs: ["local-channels"],
    async run(ctx) {
      const manager = new Manager();
      const lock = manager.Lock();
      const queue = manager.Queue<number>();
      const report = manager.Queue<string>();
      ok(await lock.acquire(), "the main side holds the lock");
      await using pool = managerPool(ctx, 2);
      const lockWaiter = pool.apply("waitForLock", [lock as never, report as never]);
      const itemWaiter = pool.apply("waitForItem", [queue as never, report as never]);
      equal(await report.get({ timeout: 30_000 }), "waiting");
      equal(await report.get({ timeout: 30_000 }), "waiting");
      const here = rejects(lock.acquire(), "ManagerClosedError");
      await manager.shutdown();
      const [fromLock, fromQueue] = await Promise.all([lockWaiter, itemWaiter]);
      ok(fromLock.startsWith("ManagerClosedError:"), `the lock's waiter: ${fromLock}`);
      ok(fromQueue.startsWith("ManagerClosedError:"), `the queue's waiter: ${fromQueue}`);
      await here;
    },
  },
  {
    name: "manager: bad input is refused with named errors that say what to do",
    async run() {
      throws(() => new Manager({ address: "x" } as never), "InvalidArgumentError", /takes no options/);
      await using manager = new Manager();
      throws(() => manager.Value("z" as never, 1), "InvalidArgumentError", /unknown typecode "z"/);
      throws(() => manager.Value("i", 1.5), "InvalidArgumentError", /int32/);
      throws(() => manager.Value("Q", 1 as never), "InvalidArgumentError", /bigint/);
      throws(() => manager.Queue(-1), "InvalidArgumentError", /maxsize/);
      throws(() => manager.Queue({ size: 1 } as never), "InvalidArgumentError", /unknown option "size"/);
      throws(() => manager.list(5 as never), "InvalidArgumentError", /iterable/);
      throws(() => manager.dict(5 as never), "InvalidArgumentError", /Map/);
      throws(() => manager.dict([[{}, 1]] as never), "InvalidArgumentError", /key must be/);
      throws(() => manager.dict({ f: () => 1 } as never), "DataCloneError");
      const d = manager.dict<never, number>();
      await rejects(d.set({} as never, 1), "InvalidArgumentError", /key must be/);
      await rejects(d.set("k" as never, (() => 1) as never), "DataCloneError");
      const l = manager.list<unknown>([1, "a"]);
      await rejects(l.get(1.5), "InvalidArgumentError", /integer/);
      await rejects(l.sort(), "InvalidArgumentError", /cannot be ordered/);
      deepEqual(await l.toArray(), [1, "a"], "a failed sort leaves the list as it was");
      await rejects(l.remove("missing"), "InvalidArgumentError", /not in the list/);
      const lock = manager.Lock();
      await rejects(lock.acquire(-1), "InvalidArgumentError");
      await rejects(lock.acquire({ wait: 1 } as never), "InvalidArgumentError", /unknown option "wait"/);
      await rejects(lock.acquire({ blocking: "no" } as never), "InvalidArgumentError", /blocking/);
      await rejects(lock.release(), "NotOwnerError");
      ok(await lock.acquire(), "acquired");
      equal(await lock.acquire({ blocking: false }), false, "one attempt, no wait");
      equal(await lock.acquire(20), false, "a timed acquire returns false, as in Python");
      await rejects(lock.hold(10), "TimeoutError");
      const aborted = new AbortController();
      const waiting = lock.acquire({ signal: aborted.signal });
      aborted.abort(new Error("stop"));
      await rejects(waiting, "Error", /stop/);
      await lock.release();
      equal(await lock.locked(), false, "the withdrawn waiter did not take the lock");
    },
  },
  {
    name: "manager: generated sequences of dict and list ops from 3 workers, each under the Lock, equal their replay on a local Map and array",
    needs: ["local-channels"],
    timeoutMs: 120_000,
    async run(ctx) {
      await using pool = managerPool(ctx, 3);
      const seed = Date.now() % 2 ** 31;
      const runs = fc.sample(fc.array(fc.array(opArbitrary, { minLength: 1, maxLength: 12 }), { minLength: 3, maxLength: 3 }), { numRuns: 4, seed });
      for (const [run, sequences] of runs.entries()) {
        await using manager = new Manager();
        const d = manager.dict<string, number>();
        const l = manager.list<number>();
        const log = manager.list<[number, number, unknown]>();
        const lock = manager.Lock();
        await Promise.all(sequences.map((ops, worker) => pool.apply("applyLogged", [d as never, l as never, log as never, lock as never, worker, ops])));
        const entries = await log.toArray();
        const where = `run ${run} (fast-check seed ${seed})`;
        equal(entries.length, sequences.reduce((n, ops) => n + ops.length, 0), `${where}: every op was logged once`);
        const modelDict = new Map<string, number>();
        const modelList: number[] = [];
        const next = sequences.map(() => 0);
        for (const [worker, index, result] of entries) {
          equal(index, next[worker]!, `${where}: worker ${worker}'s ops took effect in its order`);
          next[worker]!++;
          deepEqual(result, applyToModel(modelDict, modelList, sequences[worker]![index]!), `${where}: op ${index} of worker ${worker}`);
        }
        deepEqual(await d.copy(), modelDict, `${where}: the dict`);
        deepEqual(await l.toArray(), modelList, `${where}: the list`);
      }
    },
  },
];
