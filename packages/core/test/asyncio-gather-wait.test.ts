import { describe, expect, test } from "vitest";
import { AbortError, InvalidArgumentError, TimeoutError } from "../src/errors.js";
import { FIRST_EXCEPTION, Task, asCompleted, createTask, gather, sleep, wait } from "../src/asyncio/index.js";

describe("gather", () => {
  test("values in input order, whatever the completion order; accepts tasks, promises, functions", async () => {
    const slow = createTask((signal) => sleep(20, { signal, value: "task" }));
    const results = await gather([slow, sleep(5, { value: 2 }), async () => "fn", Promise.resolve(true)]);
    expect(results).toEqual(["task", 2, "fn", true]);
  });

  test("returnExceptions: errors take their item's place, in input order (cancellations included)", async () => {
    const e = new Error("bad");
    const cancelled = createTask((signal) => sleep(10_000, { signal }));
    cancelled.cancel();
    const results = await gather([
      sleep(10, { value: "late" }),
      Promise.reject(e),
      cancelled,
      async () => 3,
    ], { returnExceptions: true });
    expect(results[0]).toBe("late");
    expect(results[1]).toBe(e);
    expect(results[2]).toBeInstanceOf(AbortError);
    expect(results[3]).toBe(3);
  });

  test("without returnExceptions the first error propagates and siblings are NOT cancelled", async () => {
    const sibling = createTask((signal) => sleep(30, { signal, value: "finished anyway" }));
    const failing = createTask(async () => {
      await sleep(5);
      throw new Error("first");
    });
    const laterFailure = createTask(async () => {
      await sleep(10);
      throw new Error("second, handled");
    });
    await expect(gather([sibling, failing, laterFailure])).rejects.toThrow("first");
    expect(sibling.done()).toBe(false);
    expect(await sibling).toBe("finished anyway");
    expect(sibling.cancelled()).toBe(false);
    await expect(laterFailure).rejects.toThrow("second, handled");
  });

  test("empty gather resolves []; duplicates give their value twice", async () => {
    expect(await gather([])).toEqual([]);
    const t = createTask(async () => 1);
    expect(await gather([t, t])).toEqual([1, 1]);
  });

  test("cancelling the gather (signal) cancels the task children, waits for them, rejects with AbortError", async () => {
    const c = new AbortController();
    const log: string[] = [];
    const child = createTask(async (signal) => {
      try {
        await sleep(10_000, { signal });
      } finally {
        await sleep(5);
        log.push("child cleaned up");
      }
    });
    const p = gather([child, async (signal: AbortSignal) => sleep(10_000, { signal })], { returnExceptions: true, signal: c.signal });
    await sleep(2);
    c.abort();
    await expect(p).rejects.toThrow(AbortError);
    expect(log).toEqual(["child cleaned up"]);
    expect(child.cancelled()).toBe(true);
  });

  test("non-awaitables are refused with InvalidArgumentError", async () => {
    await expect(gather([1 as never])).rejects.toThrow(/item 0 is number 1/);
    await expect(gather("abc" as never)).rejects.toThrow(InvalidArgumentError);
    await expect(gather([], { return_exceptions: true } as never)).rejects.toThrow(/unknown option "return_exceptions"/);
  });
});

describe("wait", () => {
  test("FIRST_COMPLETED returns done/pending sets of the very items, cancelling nothing", async () => {
    const fast = createTask((signal) => sleep(5, { signal, value: "fast" }));
    const slow = createTask((signal) => sleep(50, { signal, value: "slow" }));
    const { done, pending } = await wait([fast, slow], { returnWhen: "FIRST_COMPLETED" });
    expect([...done]).toEqual([fast]);
    expect([...pending]).toEqual([slow]);
    expect(slow.cancelled()).toBe(false);
    expect(await slow).toBe("slow");
  });

  test("FIRST_EXCEPTION returns on the first failure; a cancellation does not count", async () => {
    const cancelled = createTask((signal) => sleep(10_000, { signal }));
    cancelled.cancel();
    const failing = createTask(async () => {
      await sleep(10);
      throw new Error("x");
    });
    const slow = createTask((signal) => sleep(100, { signal }));
    const { done, pending } = await wait([cancelled, failing, slow], { returnWhen: FIRST_EXCEPTION });
    expect(done).toEqual(new Set([cancelled, failing]));
    expect(pending).toEqual(new Set([slow]));
    slow.cancel();
  });

  test("ALL_COMPLETED (default) and timeout: returns without throwing, unfinished in pending", async () => {
    const a = sleep(5);
    const b = createTask((signal) => sleep(10_000, { signal }));
    const { done, pending } = await wait([a, b], { timeout: 20 });
    expect(done).toEqual(new Set([a]));
    expect(pending).toEqual(new Set([b]));
    expect(b.done()).toBe(false);
    b.cancel();
    const all = await wait([sleep(1), sleep(2)]);
    expect(all.done.size).toBe(2);
    expect(all.pending.size).toBe(0);
  });

  test("bad input: empty set, functions, unknown returnWhen, negative timeout", async () => {
    await expect(wait([])).rejects.toThrow(/empty/);
    await expect(wait([async () => 1] as never)).rejects.toThrow(/createTask/);
    await expect(wait([sleep(1)], { returnWhen: "FIRST" as never })).rejects.toThrow(InvalidArgumentError);
    await expect(wait([sleep(1)], { timeout: -1 })).rejects.toThrow(InvalidArgumentError);
  });
});

describe("asCompleted", () => {
  test("yields finished tasks in completion order (the original tasks, as in Python 3.13)", async () => {
    const c = createTask((signal) => sleep(30, { signal, value: "c" }));
    const a = createTask((signal) => sleep(5, { signal, value: "a" }));
    const order: unknown[] = [];
    const yielded: Task<string>[] = [];
    // asCompleted yields the Tasks themselves; TypeScript types for-await elements as awaited, hence the cast.
    for await (const item of asCompleted<string>([c, sleep(15, { value: "b" }), a])) {
      const task = item as unknown as Task<string>;
      expect(task.done()).toBe(true);
      yielded.push(task);
      order.push(await task);
    }
    expect(order).toEqual(["a", "b", "c"]);
    expect(yielded[0]).toBe(a);
    expect(yielded[2]).toBe(c);
  });

  test("timeout: finished tasks are yielded, then TimeoutError; nothing is cancelled", async () => {
    const slow = createTask((signal) => sleep(10_000, { signal }));
    const got: unknown[] = [];
    const run = async () => {
      for await (const t of asCompleted([sleep(1, { value: 1 }), slow], { timeout: 20 })) got.push(await t);
    };
    await expect(run()).rejects.toThrow(TimeoutError);
    expect(got).toEqual([1]);
    expect(slow.done()).toBe(false);
    slow.cancel();
  });

  test("failures are yielded as failed tasks, not thrown by the iteration", async () => {
    const outcomes: string[] = [];
    for await (const item of asCompleted([Promise.reject(new Error("no")), async () => "yes"])) {
      const t = item as unknown as Task<string>;
      outcomes.push(t.exception() ? "error" : String(t.result()));
    }
    expect(outcomes.sort()).toEqual(["error", "yes"]);
  });

  test("empty input ends at once; bad input throws", async () => {
    for await (const _ of asCompleted([])) throw new Error("unreachable");
    expect(() => asCompleted([3 as never])).toThrow(InvalidArgumentError);
  });
});
