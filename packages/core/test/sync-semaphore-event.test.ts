import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../src/errors.js";
import { BlockingNotAllowedError, BoundedSemaphore, Event, OverReleaseError, Semaphore } from "../src/sync/index.js";
import { asWorker, sleep, turns, WAIT_MODES } from "./sync-helpers.js";

describe.each(WAIT_MODES)("Semaphore (async, %s)", (_mode, run) => {
  it("admits at most `value` tasks at once", () =>
    run(async () => {
      const sem = new Semaphore(3);
      let inside = 0;
      let maxInside = 0;
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          await using _slot = await sem.hold();
          inside++;
          maxInside = Math.max(maxInside, inside);
          await sleep(2);
          inside--;
        }),
      );
      expect(maxInside).toBe(3);
      expect(sem.value).toBe(3);
    }));

  it("release(n) wakes n waiters; acquire times out with false", () =>
    run(async () => {
      const sem = new Semaphore(0);
      const results: boolean[] = [];
      const waiters = Array.from({ length: 3 }, () => sem.acquire(300).then((ok) => results.push(ok)));
      await turns();
      sem.release(2);
      await Promise.all(waiters);
      expect(results.sort()).toEqual([false, true, true]);
      expect(sem.value).toBe(0);
    }));
});

describe("Semaphore", () => {
  it("counts: tryAcquire until 0, release adds", () => {
    const sem = new Semaphore(2);
    expect(sem.tryAcquire()).toBe(true);
    expect(sem.tryAcquire()).toBe(true);
    expect(sem.tryAcquire()).toBe(false);
    expect(sem.value).toBe(0);
    sem.release(5);
    expect(sem.value).toBe(5);
    expect(new Semaphore().value).toBe(1);
  });

  it("validates its arguments", async () => {
    expect(() => new Semaphore(-1)).toThrow(InvalidArgumentError);
    expect(() => new Semaphore(1.5)).toThrow(InvalidArgumentError);
    const sem = new Semaphore(1);
    expect(() => sem.release(0)).toThrow(InvalidArgumentError);
    await expect(sem.acquire(Number.NaN)).rejects.toThrow(InvalidArgumentError);
    expect(sem.value).toBe(1);
  });

  it("acquireSync blocks in a worker (timing out with false), refuses on a main thread", async () => {
    const sem = new Semaphore(1);
    expect(() => sem.acquireSync()).toThrow(BlockingNotAllowedError);
    expect(sem.acquireSync(0)).toBe(true);
    await asWorker(() => {
      const start = performance.now();
      expect(sem.acquireSync(30)).toBe(false);
      expect(performance.now() - start).toBeGreaterThanOrEqual(25);
      sem.release();
      expect(sem.acquireSync(30)).toBe(true);
    });
  });

  it("BoundedSemaphore throws OverReleaseError past its initial value and keeps the count", () => {
    const sem = new BoundedSemaphore(2);
    expect(() => sem.release()).toThrow(OverReleaseError);
    expect(sem.tryAcquire()).toBe(true);
    expect(sem.tryAcquire()).toBe(true);
    expect(() => sem.release(3)).toThrow(/released too many times/);
    expect(sem.value).toBe(0);
    sem.release(2);
    expect(sem.value).toBe(2);
    expect(() => sem.release()).toThrow(OverReleaseError);
    expect(sem).toBeInstanceOf(Semaphore);
  });
});

describe.each(WAIT_MODES)("Event (async, %s)", (_mode, run) => {
  it("set wakes every waiter; clear makes waits wait again; wait times out with false", () =>
    run(async () => {
      const event = new Event();
      expect(event.isSet()).toBe(false);
      const woken: boolean[] = [];
      const waiters = Array.from({ length: 4 }, () => event.wait(5_000).then((flag) => woken.push(flag)));
      await turns();
      expect(woken).toEqual([]);
      event.set();
      await Promise.all(waiters);
      expect(woken).toEqual([true, true, true, true]);
      expect(await event.wait(0)).toBe(true);
      event.clear();
      expect(event.isSet()).toBe(false);
      const start = performance.now();
      expect(await event.wait(30)).toBe(false);
      expect(performance.now() - start).toBeGreaterThanOrEqual(25);
    }));
});

describe("Event", () => {
  it("waitSync: refuses on a main thread, blocks in a worker", async () => {
    const event = new Event();
    expect(() => event.waitSync()).toThrow(BlockingNotAllowedError);
    expect(event.waitSync(0)).toBe(false);
    await asWorker(() => {
      expect(event.waitSync(20)).toBe(false);
      event.set();
      expect(event.waitSync()).toBe(true);
    });
    await expect(event.wait(-1)).rejects.toThrow(InvalidArgumentError);
  });
});
