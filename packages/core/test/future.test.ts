import { describe, expect, test } from "vitest";
import { AbortError } from "../src/errors.js";
import { Future } from "../src/future.js";
import { TaskQueue } from "../src/task-queue.js";

describe("Future (Python's concurrent.futures.Future)", () => {
  test("reports state and result", async () => {
    const future = new Future<number>();
    expect(future.done).toBe(false);
    expect(() => future.result()).toThrow(/not done/);
    future._fulfil(3);
    expect(await future).toBe(3);
    expect(future.result()).toBe(3);
    expect(future.exception()).toBeUndefined();
    expect(future.cancel()).toBe(false);
  });

  test("cancel() without a canceller rejects with AbortError and is silent if never awaited", async () => {
    const future = new Future<number>();
    expect(future.cancel()).toBe(true);
    expect(future.cancelled).toBe(true);
    await expect(future).rejects.toBeInstanceOf(AbortError);
  });

  test("cancel() calls the canceller with the reason", () => {
    const future = new Future<number>();
    let seen: unknown;
    future._onCancel((reason) => {
      seen = reason;
      future._fail(reason, true);
    });
    future.cancel("enough");
    expect(seen).toBeInstanceOf(AbortError);
    expect((seen as Error).cause).toBe("enough");
  });
});

describe("TaskQueue", () => {
  test("keeps FIFO order, skips removed items and puts items back in front", () => {
    const queue = new TaskQueue<{ id: number; removed: boolean }>();
    const items = [1, 2, 3, 4].map((id) => ({ id, removed: false }));
    for (const item of items) queue.push(item);
    queue.remove(items[1]!);
    expect(queue.size).toBe(3);
    expect(queue.shift()?.id).toBe(1);
    queue.unshiftAll([items[0]!]);
    expect([queue.shift()?.id, queue.shift()?.id, queue.shift()?.id, queue.shift()]).toEqual([1, 3, 4, undefined]);
    expect(queue.size).toBe(0);
  });
});
