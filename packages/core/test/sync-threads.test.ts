// Real threads: node:worker_threads (tests may use Node; src may not). The workers load the same
// sources bundled by esbuild for a neutral platform (which also checks that src/sync imports
// nothing runtime-specific), set the in-worker flag as weft's bootstrap does, and revive the
// primitives from descriptors that crossed in workerData. The workers block with Atomics.wait;
// this thread takes part with the async forms (Atomics.waitAsync).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Worker } from "node:worker_threads";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { SHARED_HANDLE, type SharedHandle } from "../src/shared-handle.js";
import {
  Barrier, Condition, Event, Lock, RLock, Semaphore, SharedArray, Value,
} from "../src/sync/index.js";
import { installThreadBootstrap, prepareThreadBootstrap } from "../src/testing.js";

const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));
let dir = "";
let bundleUrl = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "weft-sync-"));
  const outfile = join(dir, "sync.mjs");
  await build({
    stdin: {
      contents: 'export * from "./src/sync/index.ts"; export { installThreadBootstrap } from "./src/sync/thread-id.ts"; export { reviveShared } from "./src/shared-handle.ts";',
      resolveDir: PACKAGE_ROOT,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    outfile,
    logLevel: "silent",
  });
  bundleUrl = pathToFileURL(outfile).href;
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Plain JS, run in each worker: scenario(sync, ...revivedArgs, ...extra) → result.
const WORKER = String.raw`
const { workerData, parentPort } = require("node:worker_threads");
const busy = (cells) => { for (let k = 0; k < 20; k++) Atomics.load(cells, 0); };
const scenarios = {
  lockCounter(sync, lock, counter, start, n) {
    start.waitSync(10000); // all workers run the loop at the same time
    for (let i = 0; i < n; i++) {
      lock.acquireSync();
      const seen = counter.array[0];
      busy(counter.array);
      counter.array[0] = seen + 1;
      lock.release();
    }
  },
  rlockCounter(sync, rlock, counter, start, n) {
    start.waitSync(10000); // all workers run the loop at the same time
    for (let i = 0; i < n; i++) {
      rlock.acquireSync();
      rlock.acquireSync();
      const seen = counter.array[0];
      busy(counter.array);
      counter.array[0] = seen + 1;
      rlock.release();
      rlock.release();
    }
  },
  rlockOwner(sync, rlock, ready) {
    let name = "none";
    try { rlock.release(); } catch (e) { name = e.name; }
    const early = rlock.acquireSync(30);
    ready.set();
    const later = rlock.acquireSync(10000);
    const again = rlock.acquireSync();
    rlock.release();
    rlock.release();
    return { name, early, later, again };
  },
  semaphore(sync, sem, stats, start, n) {
    start.waitSync(10000); // all workers run the loop at the same time
    for (let i = 0; i < n; i++) {
      sem.acquireSync();
      const inside = stats.add(0, 1) + 1;
      let max = stats.load(1);
      while (inside > max) { const seen = stats.compareExchange(1, max, inside); if (seen === max) break; max = seen; }
      busy(stats.array);
      stats.sub(0, 1);
      sem.release();
    }
  },
  consumer(sync, cond, queue) {
    // queue: [head, tail, closed, items...]
    let sum = 0, count = 0;
    for (;;) {
      cond.acquireSync();
      cond.waitForSync(() => queue.load(0) < queue.load(1) || queue.load(2) === 1);
      if (queue.load(0) === queue.load(1)) { cond.release(); return { sum, count }; }
      sum += queue.load(3 + queue.add(0, 1));
      count++;
      cond.release();
    }
  },
  barrier(sync, barrier, seen, cycles) {
    for (let c = 0; c < cycles; c++) seen.add(c * barrier.parties + barrier.waitSync(10000), 1);
  },
  floatAdd(sync, value, start, n) {
    start.waitSync(10000); // all workers run the loop at the same time
    for (let i = 0; i < n; i++) value.add(0.5);
  },
  eventWait(sync, event) {
    const start = performance.now();
    return { flag: event.waitSync(10000), ms: performance.now() - start };
  },
};
(async () => {
  const sync = await import(workerData.bundleUrl);
  globalThis[Symbol.for("weft.inWorker")] = true;
  sync.installThreadBootstrap(workerData.bootstrap);
  const shared = workerData.shared.map((d) => sync.reviveShared(d));
  const result = scenarios[workerData.scenario](sync, ...shared, ...workerData.extra);
  parentPort.postMessage({ ok: true, result });
})().catch((e) => parentPort.postMessage({ ok: false, name: e && e.name, message: String((e && e.stack) || e) }));
`;

function inWorker<T = unknown>(scenario: string, shared: SharedHandle[], ...extra: unknown[]): Promise<T> {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { bundleUrl, bootstrap: prepareThreadBootstrap(), scenario, shared: shared.map((s) => s[SHARED_HANDLE]()), extra },
  });
  return new Promise<T>((resolve, reject) => {
    worker.once("message", (m: { ok: boolean; result: T; name: string; message: string }) => {
      if (m.ok) resolve(m.result);
      else reject(new Error(`${m.name}: ${m.message}`));
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

describe("across real threads", () => {
  it("Lock: 4 blocking workers and this thread's async tasks never lose an update", async () => {
    const lock = new Lock();
    const counter = SharedArray.of("int32", 1);
    const n = 2_000;
    const start = new Barrier(4);
    const mine = (async () => {
      for (let i = 0; i < 200; i++) {
        await lock.acquire();
        const seen = counter.array[0]!;
        await Promise.resolve();
        counter.array[0] = seen + 1;
        lock.release();
      }
    })();
    await Promise.all([...Array.from({ length: 4 }, () => inWorker("lockCounter", [lock, counter, start], n)), mine]);
    expect(counter.load(0)).toBe(4 * n + 200);
    expect(lock.locked()).toBe(false);
  });

  it("RLock: reentrant per thread, excludes other threads, refuses release by a non-owner", async () => {
    const rlock = new RLock();
    const counter = SharedArray.of("int32", 1);
    const start = new Barrier(3);
    await Promise.all(Array.from({ length: 3 }, () => inWorker("rlockCounter", [rlock, counter, start], 1_000)));
    expect(counter.load(0)).toBe(3_000);

    const ready = new Event();
    await rlock.acquire();
    const outcome = inWorker<{ name: string; early: boolean; later: boolean; again: boolean }>("rlockOwner", [rlock, ready]);
    expect(await ready.wait(10_000)).toBe(true);
    rlock.release();
    expect(await outcome).toEqual({ name: "NotOwnerError", early: false, later: true, again: true });
    expect(rlock.locked()).toBe(false);
  });

  it("Semaphore(2): never more than 2 threads inside", async () => {
    const sem = new Semaphore(2);
    const stats = SharedArray.of("int32", 2); // [inside, max inside]
    const start = new Barrier(4);
    await Promise.all(Array.from({ length: 4 }, () => inWorker("semaphore", [sem, stats, start], 1_000)));
    expect(stats.load(0)).toBe(0);
    expect(stats.load(1)).toBeGreaterThanOrEqual(1);
    expect(stats.load(1)).toBeLessThanOrEqual(2);
    expect(stats.load(1)).toBeLessThanOrEqual(2);
    expect(sem.value).toBe(2);
  });

  it("Condition: this thread produces, 3 blocking consumers take every item exactly once", async () => {
    const cond = new Condition(new Lock());
    const items = 300;
    const queue = SharedArray.of("int32", 3 + items);
    const consumers = Array.from({ length: 3 }, () => inWorker<{ sum: number; count: number }>("consumer", [cond, queue]));
    for (let i = 1; i <= items; i++) {
      await cond.acquire();
      queue.store(3 + queue.load(1), i);
      queue.add(1, 1);
      cond.notify();
      cond.release();
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await cond.acquire();
    queue.store(2, 1);
    cond.notifyAll();
    cond.release();
    const results = await Promise.all(consumers);
    expect(results.reduce((s, r) => s + r.count, 0)).toBe(items);
    expect(results.reduce((s, r) => s + r.sum, 0)).toBe((items * (items + 1)) / 2);
  });

  it("Barrier: 3 blocking workers + this thread get indices 0..3 once per cycle", async () => {
    const parties = 4;
    const cycles = 20;
    const barrier = new Barrier(parties);
    const seen = SharedArray.of("int32", cycles * parties);
    const workers = Array.from({ length: parties - 1 }, () => inWorker("barrier", [barrier, seen], cycles));
    for (let c = 0; c < cycles; c++) seen.add(c * parties + (await barrier.wait(10_000)), 1);
    await Promise.all(workers);
    expect(seen.toArray()).toEqual(Array.from({ length: cycles * parties }, () => 1));
    expect(barrier.broken).toBe(false);
  });

  it("Value float64: concurrent add (compare-and-swap over the bits) loses nothing", async () => {
    const value = new Value("float64", 0);
    const start = new Barrier(4);
    await Promise.all(Array.from({ length: 4 }, () => inWorker("floatAdd", [value, start], 5_000)));
    expect(value.value).toBe(4 * 5_000 * 0.5);
  });

  it("Event: set on this thread wakes blocked workers", async () => {
    const event = new Event();
    const waiters = Array.from({ length: 3 }, () => inWorker<{ flag: boolean; ms: number }>("eventWait", [event]));
    await new Promise((r) => setTimeout(r, 100));
    event.set();
    for (const r of await Promise.all(waiters)) {
      expect(r.flag).toBe(true);
      expect(r.ms).toBeLessThan(9_000);
    }
  });
});
