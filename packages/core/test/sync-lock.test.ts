import { describe, expect, it } from "vitest";
import { InvalidArgumentError, TimeoutError } from "../src/errors.js";
import { BlockingNotAllowedError, Lock, NotOwnerError, RLock } from "../src/sync/index.js";
import { lockRoundTrips } from "../src/testing.js";
import { asWorker, sleep, turns, WAIT_MODES } from "./sync-helpers.js";

describe.each(WAIT_MODES)("Lock (async, %s)", (_mode, run) => {
  it("excludes async tasks of one thread from each other, and every task gets in", () =>
    run(async () => {
      const lock = new Lock();
      let inside = 0;
      let maxInside = 0;
      let waited = 0;
      const done: number[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async (_, id) => {
          for (let round = 0; round < 3; round++) {
            if (lock.locked()) waited++;
            expect(await lock.acquire()).toBe(true);
            inside++;
            maxInside = Math.max(maxInside, inside);
            await sleep(1);
            inside--;
            lock.release();
          }
          done.push(id);
        }),
      );
      expect(maxInside).toBe(1);
      expect(waited).toBeGreaterThan(0);
      expect(done).toHaveLength(8);
      expect(lock.locked()).toBe(false);
    }));

  it("acquire with a timeout resolves false when the lock stays held (Python semantics)", () =>
    run(async () => {
      const lock = new Lock();
      expect(await lock.acquire()).toBe(true);
      const start = performance.now();
      expect(await lock.acquire(40)).toBe(false);
      expect(performance.now() - start).toBeGreaterThanOrEqual(35);
      expect(await lock.acquire(0)).toBe(false);
      lock.release();
      expect(await lock.acquire(0)).toBe(true);
    }));

  it("a waiter is woken by release (no lost wake-up), well before its timeout", () =>
    run(async () => {
      const lock = new Lock();
      await lock.acquire();
      const start = performance.now();
      const waiting = lock.acquire(5_000);
      await turns();
      lock.release();
      expect(await waiting).toBe(true);
      expect(performance.now() - start).toBeLessThan(1_000);
      lock.release();
    }));
});

describe("Lock", () => {
  it("tryAcquire / locked / release; releasing an unlocked Lock throws NotOwnerError", () => {
    const lock = new Lock();
    expect(lock.locked()).toBe(false);
    expect(lock.tryAcquire()).toBe(true);
    expect(lock.locked()).toBe(true);
    expect(lock.tryAcquire()).toBe(false);
    lock.release();
    expect(lock.locked()).toBe(false);
    expect(() => lock.release()).toThrow(NotOwnerError);
    expect(() => lock.release()).toThrow(/release unlocked lock/);
  });

  it("rejects NaN, negative and non-number timeouts with InvalidArgumentError", async () => {
    const lock = new Lock();
    await expect(lock.acquire(Number.NaN)).rejects.toThrow(InvalidArgumentError);
    await expect(lock.acquire(-1)).rejects.toThrow(InvalidArgumentError);
    await expect(lock.acquire("5" as never)).rejects.toThrow(InvalidArgumentError);
    await asWorker(() => expect(() => lock.acquireSync(-5)).toThrow(/timeout must be/));
    expect(lock.locked()).toBe(false);
  });

  it("acquireSync refuses to run on a main thread, even uncontended, except with timeout 0", () => {
    const lock = new Lock();
    expect(() => lock.acquireSync()).toThrow(BlockingNotAllowedError);
    expect(() => lock.acquireSync(10)).toThrow(/await lock\.acquire\(\)/);
    expect(() => lock.holdSync()).toThrow(BlockingNotAllowedError);
    expect(lock.locked()).toBe(false);
    expect(lock.acquireSync(0)).toBe(true);
    expect(lock.acquireSync(0)).toBe(false);
  });

  it("acquireSync blocks in a worker and times out with false", () =>
    asWorker(() => {
      const lock = new Lock();
      expect(lock.acquireSync()).toBe(true);
      const start = performance.now();
      expect(lock.acquireSync(30)).toBe(false);
      expect(performance.now() - start).toBeGreaterThanOrEqual(25);
      lock.release();
      expect(lock.acquireSync(30)).toBe(true);
    }));

  it("holdSync / hold release on dispose (using / await using), and throw TimeoutError when not acquired", async () => {
    const lock = new Lock();
    await asWorker(() => {
      {
        using held = lock.holdSync();
        expect(held.held).toBe(true);
        expect(lock.locked()).toBe(true);
      }
      expect(lock.locked()).toBe(false);
    });
    {
      await using held = await lock.hold();
      expect(lock.locked()).toBe(true);
      await expect(lock.hold(10)).rejects.toThrow(TimeoutError);
      held.release(); // idempotent with the dispose that follows
      expect(lock.locked()).toBe(false);
      await lock.acquire();
    }
    expect(lock.locked()).toBe(true); // the second dispose did not release the re-acquired lock
    lock.release();
  });

  it("uncontended round trips are cheap (the benchmark hook)", () => {
    const elapsed = lockRoundTrips(100_000);
    expect(elapsed).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(2_000);
    const held = new Lock();
    held.tryAcquire();
    expect(() => lockRoundTrips(1, held)).toThrow(/uncontended/);
  });
});

describe("RLock", () => {
  it("is reentrant for its owner and released after as many releases", async () => {
    const rlock = new RLock();
    expect(await rlock.acquire()).toBe(true);
    expect(await rlock.acquire()).toBe(true);
    expect(rlock.tryAcquire()).toBe(true);
    expect(rlock.isOwned()).toBe(true);
    rlock.release();
    rlock.release();
    expect(rlock.locked()).toBe(true);
    rlock.release();
    expect(rlock.locked()).toBe(false);
    expect(rlock.isOwned()).toBe(false);
    expect(() => rlock.release()).toThrow(NotOwnerError);
  });

  it("refuses a release by another thread with NotOwnerError, and excludes other threads", async () => {
    const rlock = new RLock();
    await rlock.acquire();
    const g = globalThis as Record<symbol, unknown>;
    const THREAD_ID = Symbol.for("weft.threadId");
    const mine = g[THREAD_ID];
    g[THREAD_ID] = 987_654; // pretend to be another thread
    try {
      expect(() => rlock.release()).toThrow(NotOwnerError);
      expect(() => rlock.release()).toThrow(/cannot release un-acquired lock/);
      expect(rlock.tryAcquire()).toBe(false);
      expect(await rlock.acquire(20)).toBe(false);
    } finally {
      g[THREAD_ID] = mine;
    }
    rlock.release();
    expect(rlock.locked()).toBe(false);
  });

  it("another thread's acquire waits for the owner's last release", async () => {
    const rlock = new RLock();
    await rlock.acquire();
    await rlock.acquire();
    const g = globalThis as Record<symbol, unknown>;
    const THREAD_ID = Symbol.for("weft.threadId");
    const mine = g[THREAD_ID];
    g[THREAD_ID] = 4242;
    const other = rlock.acquire(5_000);
    g[THREAD_ID] = mine;
    rlock.release();
    await turns();
    let acquired = false;
    void other.then(() => (acquired = true));
    await turns();
    expect(acquired).toBe(false);
    rlock.release();
    expect(await other).toBe(true);
    g[THREAD_ID] = 4242;
    try {
      expect(rlock.isOwned()).toBe(true);
      rlock.release();
    } finally {
      g[THREAD_ID] = mine;
    }
    expect(rlock.locked()).toBe(false);
  });

  it("acquireSync: recursion in a worker, refusal on a main thread", async () => {
    const rlock = new RLock();
    expect(() => rlock.acquireSync()).toThrow(BlockingNotAllowedError);
    await asWorker(() => {
      expect(rlock.acquireSync()).toBe(true);
      expect(rlock.acquireSync(10)).toBe(true);
      {
        using _again = rlock.holdSync();
      }
      rlock.release();
      rlock.release();
      expect(rlock.locked()).toBe(false);
    });
  });
});
