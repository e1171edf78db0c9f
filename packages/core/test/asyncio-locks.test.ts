import { describe, expect, test } from "vitest";
import { AbortError, InvalidArgumentError, TimeoutError } from "../src/errors.js";
import {
  Barrier, BoundedSemaphore, BrokenBarrierError, Condition, Event, InvalidStateError, Lock, Semaphore, createTask, gather, sleep,
} from "../src/asyncio/index.js";

const turn = () => new Promise<void>((r) => setTimeout(r, 0));

describe("Lock", () => {
  test("mutual exclusion and FIFO fairness", async () => {
    const lock = new Lock();
    const order: number[] = [];
    let inside = 0;
    await gather(Array.from({ length: 5 }, (_, i) => async () => {
      const held = await lock.acquire();
      inside++;
      expect(inside).toBe(1);
      order.push(i);
      await sleep(1);
      inside--;
      held.release();
    }));
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(lock.locked()).toBe(false);
  });

  test("a releaser that re-acquires at once queues behind the waiter it woke", async () => {
    const lock = new Lock();
    await lock.acquire();
    const order: string[] = [];
    const b = lock.acquire().then(() => order.push("b"));
    await turn();
    lock.release();
    const a = lock.acquire().then(() => order.push("a again"));
    await b;
    lock.release();
    await a;
    expect(order).toEqual(["b", "a again"]);
  });

  test("a waiter cancelled while waiting leaves the queue (Python test_acquire_cancel)", async () => {
    const lock = new Lock();
    await lock.acquire();
    const task = createTask((signal) => lock.acquire({ signal }));
    await turn();
    task.cancel();
    await expect(task).rejects.toThrow(AbortError);
    lock.release();
    expect(lock.locked()).toBe(false);
    await lock.acquire(); // free at once: no ghost waiter holds it
    expect(lock.locked()).toBe(true);
  });

  test("cancel/release race: a woken waiter cancelled before it resumes passes the lock on (test_cancel_release_race)", async () => {
    const lock = new Lock();
    await lock.acquire();
    const b = new AbortController();
    const got: string[] = [];
    const pb = lock.acquire({ signal: b.signal }).then(() => got.push("b"), (e: unknown) => got.push(`b:${(e as Error).name}`));
    const pc = lock.acquire().then(() => got.push("c"));
    const pd = lock.acquire().then(() => got.push("d"));
    await turn();
    lock.release(); // wakes b…
    b.abort(); // …which is cancelled before it runs
    await Promise.all([pb, pc]);
    expect(got).toEqual(["b:AbortError", "c"]);
    expect(lock.locked()).toBe(true); // held by c only; d still waits
    lock.release();
    await pd;
    expect(got).toEqual(["b:AbortError", "c", "d"]);
  });

  test("timeout leaves the queue with a TimeoutError; an aborted signal rejects up front", async () => {
    const lock = new Lock();
    await lock.acquire();
    await expect(lock.acquire({ timeout: 5 })).rejects.toThrow(TimeoutError);
    await expect(lock.acquire({ signal: AbortSignal.abort() })).rejects.toThrow();
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  test("release of an unlocked lock throws InvalidStateError; the handle releases once and only its own hold", async () => {
    const lock = new Lock();
    expect(() => lock.release()).toThrow(InvalidStateError);
    const first = await lock.acquire();
    first.release();
    first.release(); // idempotent
    const second = await lock.acquire();
    first.release(); // must not release the second holder's lock
    expect(lock.locked()).toBe(true);
    second.release();
    expect(lock.locked()).toBe(false);
  });

  test("using releases at the end of the block, also on throw", async () => {
    const lock = new Lock();
    const critical = async () => {
      using _held = await lock.acquire();
      expect(lock.locked()).toBe(true);
      throw new Error("inside");
    };
    await expect(critical()).rejects.toThrow("inside");
    expect(lock.locked()).toBe(false);
    {
      await using _held = await lock.acquire();
      expect(lock.locked()).toBe(true);
    }
    expect(lock.locked()).toBe(false);
  });

  test("bad options", async () => {
    await expect(new Lock().acquire({ timeout: -1 })).rejects.toThrow(InvalidArgumentError);
    await expect(new Lock().acquire({ signal: "x" } as never)).rejects.toThrow(InvalidArgumentError);
  });
});

describe("Event", () => {
  test("set wakes every waiter; wait returns at once while set; clear resets", async () => {
    const event = new Event();
    const woken: number[] = [];
    const waiters = [1, 2, 3].map((i) => event.wait().then(() => woken.push(i)));
    await turn();
    expect(woken).toEqual([]);
    event.set();
    await Promise.all(waiters);
    expect(woken).toEqual([1, 2, 3]);
    expect(await event.wait()).toBe(true);
    event.clear();
    expect(event.isSet()).toBe(false);
    await expect(event.wait({ timeout: 5 })).rejects.toThrow(TimeoutError);
  });

  test("a cancelled waiter rejects; the others are still woken", async () => {
    const event = new Event();
    const c = new AbortController();
    const cancelled = event.wait({ signal: c.signal });
    const other = event.wait();
    c.abort();
    await expect(cancelled).rejects.toThrow();
    event.set();
    expect(await other).toBe(true);
  });
});

describe("Condition", () => {
  test("wait releases the lock, notify wakes FIFO, the lock is re-acquired before wait returns", async () => {
    const cond = new Condition();
    const order: number[] = [];
    const waiter = (i: number) => async () => {
      await cond.acquire();
      await cond.wait();
      expect(cond.locked()).toBe(true);
      order.push(i);
      cond.release();
    };
    const all = gather([waiter(1), waiter(2), waiter(3)]);
    await sleep(2);
    expect(cond.locked()).toBe(false); // all three released it while waiting
    await cond.acquire();
    cond.notify(2);
    cond.release();
    await sleep(2);
    expect(order).toEqual([1, 2]);
    await cond.acquire();
    cond.notifyAll();
    cond.release();
    await all;
    expect(order).toEqual([1, 2, 3]);
  });

  test("waitFor loops until the predicate holds; a timeout throws with the lock held again", async () => {
    const cond = new Condition();
    let value = 0;
    const consumer = (async () => {
      await cond.acquire();
      const v = await cond.waitFor(() => value >= 2 && value);
      cond.release();
      return v;
    })();
    for (let i = 0; i < 2; i++) {
      await sleep(1);
      await cond.acquire();
      value++;
      cond.notifyAll();
      cond.release();
    }
    expect(await consumer).toBe(2);

    await cond.acquire();
    await expect(cond.waitFor(() => false, { timeout: 5 })).rejects.toThrow(TimeoutError);
    expect(cond.locked()).toBe(true);
    cond.release();
  });

  test("a waiter notified and then cancelled passes the notification on (no lost wake-up)", async () => {
    const cond = new Condition();
    const a = new AbortController();
    const results: string[] = [];
    const pa = (async () => {
      await cond.acquire();
      try {
        await cond.wait({ signal: a.signal });
        results.push("a");
      } catch {
        results.push("a cancelled");
      } finally {
        cond.release();
      }
    })();
    const pb = (async () => {
      await cond.acquire();
      await cond.wait();
      results.push("b");
      cond.release();
    })();
    await sleep(1);
    await cond.acquire();
    cond.notify(1); // wakes a…
    a.abort(); // …which is cancelled before it resumes
    cond.release();
    await Promise.all([pa, pb]);
    expect(results.sort()).toEqual(["a cancelled", "b"]);
  });

  test("wait/notify without the lock throw InvalidStateError; bad lock → InvalidArgumentError", async () => {
    const cond = new Condition(new Lock());
    await expect(cond.wait()).rejects.toThrow(InvalidStateError);
    expect(() => cond.notify()).toThrow(InvalidStateError);
    expect(() => new Condition({} as never)).toThrow(InvalidArgumentError);
    await cond.acquire();
    expect(() => cond.notify(-1)).toThrow(InvalidArgumentError);
  });
});

describe("Semaphore", () => {
  test("limits concurrency to its value", async () => {
    const sem = new Semaphore(3);
    let inside = 0;
    let peak = 0;
    await gather(Array.from({ length: 10 }, () => async () => {
      using _permit = await sem.acquire();
      inside++;
      peak = Math.max(peak, inside);
      await sleep(2);
      inside--;
    }));
    expect(peak).toBe(3);
    expect(sem.value).toBe(3);
  });

  test("a cancelled waiter does not consume a permit, also when cancelled right after being woken", async () => {
    const sem = new Semaphore(1);
    await sem.acquire();
    const b = new AbortController();
    const got: string[] = [];
    const pb = sem.acquire({ signal: b.signal }).then(() => got.push("b"), () => got.push("b cancelled"));
    const pc = sem.acquire().then(() => got.push("c"));
    await turn();
    sem.release(); // permit reserved for b…
    b.abort(); // …cancelled before b resumes
    await Promise.all([pb, pc]);
    expect(got).toEqual(["b cancelled", "c"]);
    expect(sem.value).toBe(0);
    expect(sem.locked()).toBe(true);
  });

  test("FIFO: a newcomer does not overtake waiters", async () => {
    const sem = new Semaphore(0);
    const order: string[] = [];
    const w1 = sem.acquire().then(() => order.push("w1"));
    sem.release();
    expect(sem.locked()).toBe(true); // the permit is reserved for w1
    const w2 = sem.acquire().then(() => order.push("w2"));
    sem.release();
    await Promise.all([w1, w2]);
    expect(order).toEqual(["w1", "w2"]);
  });

  test("BoundedSemaphore: releasing too often throws InvalidStateError", async () => {
    const sem = new BoundedSemaphore(2);
    const p = await sem.acquire();
    p.release();
    expect(() => sem.release()).toThrow(/released too many times/);
    expect(() => sem.release()).toThrow(InvalidStateError);
    expect(sem.value).toBe(2);
    const unbounded = new Semaphore(1);
    unbounded.release();
    expect(unbounded.value).toBe(2);
  });

  test("bad initial values", () => {
    expect(() => new Semaphore(-1)).toThrow(InvalidArgumentError);
    expect(() => new BoundedSemaphore(1.5)).toThrow(InvalidArgumentError);
  });
});

describe("Barrier", () => {
  test("releases all parties together with distinct indices, and is reusable", async () => {
    const barrier = new Barrier(3);
    for (let round = 0; round < 2; round++) {
      const arrived: number[] = [];
      const waits = [0, 1, 2].map(async (i) => {
        await sleep(i * 3);
        arrived.push(i);
        const index = await barrier.wait();
        expect(arrived).toHaveLength(3); // nobody passes before the last arrives
        return index;
      });
      expect((await Promise.all(waits)).sort()).toEqual([0, 1, 2]);
      expect(barrier.nWaiting).toBe(0);
    }
  });

  test("abort breaks it: waiters and later callers get BrokenBarrierError until reset", async () => {
    const barrier = new Barrier(3);
    const w = barrier.wait();
    await turn();
    expect(barrier.nWaiting).toBe(1);
    barrier.abort();
    await expect(w).rejects.toThrow(BrokenBarrierError);
    expect(barrier.broken).toBe(true);
    await expect(barrier.wait()).rejects.toThrow(BrokenBarrierError);
    barrier.reset();
    expect(barrier.broken).toBe(false);
    const again = await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()]);
    expect(again.sort()).toEqual([0, 1, 2]);
  });

  test("reset sends current waiters BrokenBarrierError and leaves the barrier usable", async () => {
    const barrier = new Barrier(2);
    const w = barrier.wait();
    await turn();
    barrier.reset();
    await expect(w).rejects.toThrow(BrokenBarrierError);
    expect(barrier.broken).toBe(false);
    expect((await Promise.all([barrier.wait(), barrier.wait()])).sort()).toEqual([0, 1]);
  });

  test("a cancelled waiter just leaves (asyncio semantics): not counted, barrier not broken", async () => {
    const barrier = new Barrier(2);
    const c = new AbortController();
    const w = barrier.wait({ signal: c.signal });
    await turn();
    c.abort();
    await expect(w).rejects.toThrow();
    expect(barrier.nWaiting).toBe(0);
    expect(barrier.broken).toBe(false);
    await expect(barrier.wait({ timeout: 5 })).rejects.toThrow(TimeoutError);
    expect((await Promise.all([barrier.wait(), barrier.wait()])).sort()).toEqual([0, 1]);
  });

  test("bad parties", () => {
    expect(() => new Barrier(0)).toThrow(InvalidArgumentError);
  });
});
