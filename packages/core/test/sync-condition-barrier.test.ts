import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../src/errors.js";
import { Barrier, BlockingNotAllowedError, BrokenBarrierError, Condition, Lock, NotOwnerError, RLock } from "../src/sync/index.js";
import { asWorker, sleep, turns, WAIT_MODES } from "./sync-helpers.js";

describe.each(WAIT_MODES)("Condition (async, %s)", (_mode, run) => {
  it("producer/consumer: every item is consumed once, waitFor re-checks its predicate", () =>
    run(async () => {
      const cond = new Condition(new Lock());
      const queue: number[] = [];
      const consumed: number[] = [];
      let closed = false;
      const consumers = Array.from({ length: 3 }, async () => {
        for (;;) {
          await cond.acquire();
          try {
            await cond.waitFor(() => queue.length > 0 || closed);
            expect(cond.lock.locked()).toBe(true); // re-acquired before returning
            if (queue.length === 0) return;
            consumed.push(queue.shift()!);
          } finally {
            cond.release();
          }
          await sleep(0);
        }
      });
      for (let i = 0; i < 20; i++) {
        await cond.acquire();
        queue.push(i);
        cond.notify();
        cond.release();
        if (i % 4 === 0) await sleep(1);
      }
      await cond.acquire();
      closed = true;
      cond.notifyAll();
      cond.release();
      await Promise.all(consumers);
      expect(consumed.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    }));

  it("notify(n) wakes exactly n of the waiters; the others time out with false", () =>
    run(async () => {
      // A Lock, not the default RLock: RLock ownership is per thread, and these tasks share one.
      const cond = new Condition(new Lock());
      const results: boolean[] = [];
      const waiters = Array.from({ length: 4 }, async () => {
        await cond.acquire();
        try {
          results.push(await cond.wait(250));
        } finally {
          cond.release();
        }
      });
      await turns(5);
      await cond.acquire();
      cond.notify(2);
      cond.release();
      await Promise.all(waiters);
      expect(results.filter(Boolean)).toHaveLength(2);
      expect(results).toHaveLength(4);
    }));

  it("a notify before a wait is not taken by that later wait", () =>
    run(async () => {
      const cond = new Condition(new Lock());
      const first = (async () => {
        await cond.acquire();
        try {
          return await cond.wait(2_000);
        } finally {
          cond.release();
        }
      })();
      await turns();
      await cond.acquire();
      cond.notify(); // meant for `first`
      expect(await cond.wait(40)).toBe(false); // this later waiter must not take it
      cond.release();
      expect(await first).toBe(true);
    }));
});

describe("Condition", () => {
  it("wait and notify need the lock (NotOwnerError), RLock saved and restored across wait", async () => {
    const rlock = new RLock();
    const cond = new Condition(rlock);
    await expect(cond.wait(10)).rejects.toThrow(NotOwnerError);
    expect(() => cond.notify()).toThrow(NotOwnerError);
    await rlock.acquire();
    await rlock.acquire(); // two levels deep
    const waiting = cond.wait(2_000); // releases both levels at once
    expect(rlock.locked()).toBe(false);
    await cond.acquire(); // the notifier (on this same thread: RLock ownership is per thread)
    cond.notifyAll();
    cond.release();
    expect(await waiting).toBe(true);
    expect(rlock.isOwned()).toBe(true); // both levels restored
    rlock.release();
    expect(rlock.locked()).toBe(true);
    rlock.release();
    expect(rlock.locked()).toBe(false);
  });

  it("waitFor returns the predicate's last value on timeout; bad timeouts and n are rejected", async () => {
    const cond = new Condition();
    await cond.acquire();
    const start = performance.now();
    expect(await cond.waitFor(() => 0, 30)).toBe(0);
    expect(performance.now() - start).toBeGreaterThanOrEqual(25);
    expect(await cond.waitFor(() => "ready", 0)).toBe("ready");
    await expect(cond.wait(Number.NaN)).rejects.toThrow(InvalidArgumentError);
    expect(() => cond.notify(-1)).toThrow(InvalidArgumentError);
    cond.release();
    expect(() => new Condition({} as never)).toThrow(InvalidArgumentError);
  });

  it("sync forms refuse on a main thread; in a worker waitSync times out holding the lock again", async () => {
    const cond = new Condition();
    await cond.acquire();
    expect(() => cond.waitSync(0)).toThrow(BlockingNotAllowedError);
    expect(() => cond.waitForSync(() => true)).toThrow(BlockingNotAllowedError);
    await asWorker(() => {
      expect(cond.waitSync(20)).toBe(false);
      expect(cond.waitForSync(() => 7, 10)).toBe(7);
    });
    expect((cond.lock as RLock).isOwned()).toBe(true);
    cond.release();
  });
});

describe.each(WAIT_MODES)("Barrier (async, %s)", (_mode, run) => {
  it("releases all parties together with distinct indices, cycle after cycle", () =>
    run(async () => {
      const barrier = new Barrier(4);
      for (let cycle = 0; cycle < 3; cycle++) {
        const arrived: number[] = [];
        const passing = Array.from({ length: 4 }, async (_, i) => {
          await sleep(i * 3);
          arrived.push(i);
          const index = await barrier.wait(5_000);
          expect(arrived).toHaveLength(4); // nobody passes before the last arrival
          return index;
        });
        // However slowly a loaded machine runs the timers, someone waits before the last arrives.
        for (let i = 0; barrier.nWaiting === 0 && arrived.length < 4 && i < 5_000; i++) await sleep(1);
        expect(barrier.nWaiting > 0 || arrived.length === 4).toBe(true);
        const indices = await Promise.all(passing);
        expect([...indices].sort()).toEqual([0, 1, 2, 3]);
        expect(barrier.nWaiting).toBe(0);
      }
      expect(barrier.broken).toBe(false);
    }));

  it("a timeout breaks it for everyone; reset repairs it", () =>
    run(async () => {
      const barrier = new Barrier(3, { timeout: 30 });
      const first = barrier.wait(5_000);
      const second = barrier.wait(); // the default 30 ms timeout
      const settled = await Promise.allSettled([first, second]);
      expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected"]);
      for (const s of settled) expect((s as PromiseRejectedResult).reason).toBeInstanceOf(BrokenBarrierError);
      expect(barrier.broken).toBe(true);
      await expect(barrier.wait()).rejects.toThrow(BrokenBarrierError);
      await barrier.reset();
      expect(barrier.broken).toBe(false);
      const indices = await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()]);
      expect(indices.sort()).toEqual([0, 1, 2]);
    }));

  it("abort breaks current waiters; reset while waiting breaks them too", () =>
    run(async () => {
      const barrier = new Barrier(3);
      const waiting = barrier.wait();
      await turns();
      await barrier.abort();
      await expect(waiting).rejects.toThrow(BrokenBarrierError);
      expect(barrier.broken).toBe(true);
      await barrier.reset();
      const again = barrier.wait();
      await turns();
      expect(barrier.nWaiting).toBe(1);
      await barrier.reset();
      await expect(again).rejects.toThrow(BrokenBarrierError);
      expect(barrier.broken).toBe(false);
      expect(await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()])).toHaveLength(3);
    }));
});

describe("Barrier", () => {
  it("validates parties and timeouts; sync forms refuse on a main thread; one party passes alone", async () => {
    expect(() => new Barrier(0)).toThrow(InvalidArgumentError);
    expect(() => new Barrier(2.5)).toThrow(InvalidArgumentError);
    expect(() => new Barrier(2, { timeout: -1 })).toThrow(InvalidArgumentError);
    const barrier = new Barrier(1);
    expect(barrier.parties).toBe(1);
    expect(() => barrier.waitSync()).toThrow(BlockingNotAllowedError);
    expect(() => barrier.abortSync()).toThrow(BlockingNotAllowedError);
    expect(await barrier.wait()).toBe(0);
    await asWorker(() => {
      expect(barrier.waitSync()).toBe(0);
      barrier.abortSync();
      expect(barrier.broken).toBe(true);
      expect(() => barrier.waitSync()).toThrow(BrokenBarrierError);
      barrier.resetSync();
      expect(barrier.waitSync(10)).toBe(0);
    });
  });
});
