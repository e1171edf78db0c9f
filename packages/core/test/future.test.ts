import { describe, expect, test } from "vitest";
import { AbortError, InvalidStateError } from "../src/errors.js";
import { Future } from "../src/future.js";
import { fulfilFuture, failFuture, markFutureRunning, onFutureCancel } from "../src/future.js";
import { TaskQueue } from "../src/pool/task-queue.js";

describe("Future (Python's concurrent.futures.Future)", () => {
  test("reports state and result", async () => {
    const future = new Future<number>();
    expect(future.done()).toBe(false);
    expect(() => future.result()).toThrow(/not done/);
    fulfilFuture(future, 3);
    expect(await future).toBe(3);
    expect(future.result()).toBe(3);
    expect(future.exception()).toBeUndefined();
    expect(future.cancel()).toBe(false);
  });

  test("cancel() without a canceller rejects with AbortError and is silent if never awaited", async () => {
    const future = new Future<number>();
    expect(future.cancel()).toBe(true);
    expect(future.cancelled()).toBe(true);
    await expect(future).rejects.toBeInstanceOf(AbortError);
  });

  test("Python's concurrent.futures: exception() and result() of a cancelled future throw the cancellation", () => {
    const future = new Future<number>();
    future.cancel();
    expect(() => future.exception()).toThrow(AbortError);
    expect(() => future.result()).toThrow(AbortError);
    expect(future.done()).toBe(true);
    expect(future.running()).toBe(false);
  });

  test("before done, result() and exception() throw InvalidStateError; running() follows the task", () => {
    const future = new Future<number>();
    expect(() => future.result()).toThrow(InvalidStateError);
    expect(() => future.exception()).toThrow(InvalidStateError);
    markFutureRunning(future);
    expect(future.running()).toBe(true);
    failFuture(future, new RangeError("x"));
    expect(future.running()).toBe(false);
    expect(future.exception()).toBeInstanceOf(RangeError);
    return future.catch(() => undefined);
  });

  test("addDoneCallback: called once, in order, at once when already done; a throwing callback is logged and ignored", () => {
    const future = new Future<number>();
    const seen: string[] = [];
    const logged: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args[1]);
    try {
      future.addDoneCallback((f) => seen.push(`a${f.result()}`));
      future.addDoneCallback(() => {
        throw new Error("callback bug");
      });
      future.addDoneCallback((f) => seen.push(`c${f.result()}`));
      expect(seen).toEqual([]);
      expect(fulfilFuture(future, 7)).toBe(true);
      expect(fulfilFuture(future, 8)).toBe(false);
      expect(seen).toEqual(["a7", "c7"]);
      future.addDoneCallback((f) => seen.push(`late${f.result()}`));
      expect(seen).toEqual(["a7", "c7", "late7"]);
      expect((logged[0] as Error).message).toBe("callback bug");
      expect(() => future.addDoneCallback(42 as never)).toThrow(TypeError);
    } finally {
      console.error = original;
    }
  });

  test("cancel() calls the canceller with the reason", () => {
    const future = new Future<number>();
    let seen: unknown;
    onFutureCancel(future, (reason) => {
      seen = reason;
      failFuture(future, reason, true);
    });
    future.cancel("enough");
    expect(seen).toBeInstanceOf(AbortError);
    expect((seen as Error).cause).toBe("enough");
  });
});

describe("TaskQueue", () => {
  test("keeps FIFO order, skips removed items and puts items back in front", () => {
    const queue = new TaskQueue<{ id: number }>();
    const items = [1, 2, 3, 4].map((id) => ({ id }));
    for (const item of items) queue.push(item);
    queue.remove(items[1]!);
    expect(queue.size).toBe(3);
    expect(queue.shift()?.id).toBe(1);
    queue.unshiftAll([items[0]!]);
    expect([queue.shift()?.id, queue.shift()?.id, queue.shift()?.id, queue.shift()]).toEqual([1, 3, 4, undefined]);
    expect(queue.size).toBe(0);
  });
});
