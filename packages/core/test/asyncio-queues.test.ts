import { describe, expect, test } from "vitest";
import { InvalidArgumentError, TimeoutError } from "../src/errors.js";
import {
  InvalidStateError, LifoQueue, PriorityQueue, Queue, QueueEmpty, QueueFull, QueueShutDown, TaskGroup, sleep,
} from "../src/asyncio/index.js";

const turn = () => new Promise<void>((r) => setTimeout(r, 0));

describe("Queue", () => {
  test("FIFO order, qsize/empty/full, nowait errors", async () => {
    const q = new Queue<number>(2);
    expect(q.maxsize).toBe(2);
    expect(q.empty()).toBe(true);
    q.putNowait(1);
    await q.put(2);
    expect(q.full()).toBe(true);
    expect(q.qsize()).toBe(2);
    expect(() => q.putNowait(3)).toThrow(QueueFull);
    expect(q.getNowait()).toBe(1);
    expect(await q.get()).toBe(2);
    expect(() => q.getNowait()).toThrow(QueueEmpty);
  });

  test("put waits while full, get waits while empty; waiters are served FIFO", async () => {
    const q = new Queue<string>(1);
    const got: string[] = [];
    const getters = [1, 2, 3].map((i) => q.get().then((v) => got.push(`g${i}:${v}`)));
    await turn();
    await q.put("a");
    await q.put("b");
    await q.put("c");
    await Promise.all(getters);
    expect(got).toEqual(["g1:a", "g2:b", "g3:c"]);

    q.putNowait("x");
    const order: string[] = [];
    const putters = ["p1", "p2"].map((p) => q.put(p).then(() => order.push(p)));
    await turn();
    expect(order).toEqual([]);
    expect(q.getNowait()).toBe("x");
    expect(await q.get()).toBe("p1");
    expect(await q.get()).toBe("p2");
    await Promise.all(putters);
    expect(order).toEqual(["p1", "p2"]);
  });

  test("an item promised to a woken getter cannot be taken by a newcomer", async () => {
    const q = new Queue<string>();
    const first = q.get();
    await turn();
    q.putNowait("for the waiter");
    expect(() => q.getNowait()).toThrow(QueueEmpty);
    const newcomer = q.get();
    q.putNowait("for the newcomer");
    expect(await first).toBe("for the waiter");
    expect(await newcomer).toBe("for the newcomer");
  });

  test("a cancelled getter does not consume an item, also when cancelled right after being woken", async () => {
    const q = new Queue<number>();
    const a = new AbortController();
    const b = new AbortController();
    const ga = q.get({ signal: a.signal });
    const gb = q.get({ signal: b.signal });
    const gc = q.get();
    await turn();
    a.abort(); // cancelled while waiting
    q.putNowait(1); // wakes b…
    b.abort(); // …cancelled before it resumes: the item goes to c
    await expect(ga).rejects.toThrow();
    await expect(gb).rejects.toThrow();
    expect(await gc).toBe(1);
    expect(q.qsize()).toBe(0);
  });

  test("a cancelled putter does not put its item; its slot goes to the next putter", async () => {
    const q = new Queue<string>(1);
    q.putNowait("first");
    const a = new AbortController();
    const pa = q.put("a", { signal: a.signal });
    const pb = q.put("b");
    await turn();
    expect(q.getNowait()).toBe("first"); // frees a slot, reserved for a…
    a.abort(); // …cancelled before it resumes
    await expect(pa).rejects.toThrow();
    await pb;
    expect(q.getNowait()).toBe("b");
    expect(q.empty()).toBe(true);
  });

  test("get/put timeouts", async () => {
    const q = new Queue<number>(1);
    await expect(q.get({ timeout: 5 })).rejects.toThrow(TimeoutError);
    q.putNowait(1);
    await expect(q.put(2, { timeout: 5 })).rejects.toThrow(TimeoutError);
    expect(q.qsize()).toBe(1);
  });

  test("join waits for taskDone of every item; too many taskDone throws", async () => {
    const q = new Queue<number>();
    const processed: number[] = [];
    const outcome = await TaskGroup.run(async (g) => {
      for (let i = 0; i < 3; i++) {
        g.createTask(async (signal) => {
          for (;;) {
            const item = await q.get({ signal });
            await sleep(1);
            processed.push(item);
            q.taskDone();
          }
        });
      }
      for (let i = 0; i < 9; i++) q.putNowait(i);
      await q.join();
      expect(processed.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      // The workers loop forever: a body error cancels them (Python: raising inside `async with`).
      throw Object.assign(new Error("stop workers"), { stop: true });
    }).then(() => null, (e: unknown) => e);
    expect(outcome).toBeInstanceOf(AggregateError);
    expect((outcome as AggregateError).errors).toHaveLength(1); // the workers' cancellations are not errors
    expect((outcome as AggregateError).errors[0]).toHaveProperty("stop", true);
    expect(() => q.taskDone()).toThrow(InvalidStateError);
    await q.join(); // nothing unfinished: returns at once
  });

  test("shutdown wakes getters and putters with QueueShutDown; remaining items can still be got", async () => {
    const q = new Queue<number>(1);
    const empty = new Queue<number>();
    const blockedGet = empty.get();
    await turn();
    empty.shutdown();
    await expect(blockedGet).rejects.toThrow(QueueShutDown);
    await expect(empty.get()).rejects.toThrow(QueueShutDown);
    expect(() => empty.getNowait()).toThrow(QueueShutDown);

    q.putNowait(1);
    const blockedPut = q.put(2);
    await turn();
    q.shutdown();
    await expect(blockedPut).rejects.toThrow(QueueShutDown);
    expect(() => q.putNowait(3)).toThrow(QueueShutDown);
    expect(await q.get()).toBe(1); // drained normally
    await expect(q.get()).rejects.toThrow(QueueShutDown);
    expect(q.isShutdown).toBe(true);
  });

  test("shutdown(immediate) discards items and counts them done, so join returns", async () => {
    const q = new Queue<number>();
    q.putNowait(1);
    q.putNowait(2);
    const joined = q.join();
    q.shutdown(true);
    await joined;
    expect(q.qsize()).toBe(0);
    await expect(q.get()).rejects.toThrow(QueueShutDown);
  });

  test("bad maxsize", () => {
    expect(() => new Queue(-1)).toThrow(InvalidArgumentError);
    expect(() => new Queue(1.5)).toThrow(InvalidArgumentError);
    expect(new Queue(Infinity).maxsize).toBe(0);
  });
});

describe("PriorityQueue", () => {
  test("smallest first; [priority, data] arrays like Python tuples; stable for equal priorities", async () => {
    const q = new PriorityQueue<[number, string]>();
    for (const e of [[3, "c"], [1, "a"], [2, "b"], [1, "a2"], [0, "z"]] as [number, string][]) q.putNowait(e);
    const out: string[] = [];
    while (!q.empty()) out.push((await q.get())[1]);
    expect(out).toEqual(["z", "a", "a2", "b", "c"]);

    const numbers = new PriorityQueue<number>();
    const input = [5, 3, 9, 1, 7, 2, 8, 6, 4, 0];
    for (const n of input) numbers.putNowait(n);
    const sorted: number[] = [];
    while (!numbers.empty()) sorted.push(numbers.getNowait());
    expect(sorted).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test("custom compare; stable among equal keys", () => {
    const q = new PriorityQueue<{ p: number; id: string }>(0, (a, b) => a.p - b.p);
    q.putNowait({ p: 2, id: "x" });
    q.putNowait({ p: 1, id: "y" });
    q.putNowait({ p: 2, id: "w" });
    expect([q.getNowait().id, q.getNowait().id, q.getNowait().id]).toEqual(["y", "x", "w"]);
  });

  test("unorderable items are refused and leave the queue unchanged", () => {
    const q = new PriorityQueue<unknown>();
    q.putNowait(1);
    expect(() => q.putNowait({})).toThrow(InvalidArgumentError);
    expect(q.qsize()).toBe(1);
    expect(q.getNowait()).toBe(1);
  });
});

describe("LifoQueue", () => {
  test("last in, first out", async () => {
    const q = new LifoQueue<number>();
    q.putNowait(1);
    q.putNowait(2);
    q.putNowait(3);
    expect([await q.get(), q.getNowait(), q.getNowait()]).toEqual([3, 2, 1]);
  });
});
