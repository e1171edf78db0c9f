import { describe, expect, test } from "vitest";
import { AbortError, InvalidArgumentError, TimeoutError } from "../src/errors.js";
import { InvalidStateError, clock, createTask, sleep, timeout, timeoutAt, waitFor } from "../src/asyncio/index.js";

describe("timeout", () => {
  test("expiry cancels the work, awaits its cleanup, then throws TimeoutError (cause: the AbortError)", async () => {
    const log: string[] = [];
    const error = await timeout(10, async (signal) => {
      try {
        await sleep(10_000, { signal });
      } finally {
        await sleep(5);
        log.push("cleanup done");
      }
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).cause).toBeInstanceOf(AbortError);
    expect(log).toEqual(["cleanup done"]);
  });

  test("work that finishes in time returns its value; its own errors pass through unchanged", async () => {
    expect(await timeout(100, (signal) => sleep(1, { signal, value: "ok" }))).toBe("ok");
    await expect(timeout(100, async () => { throw new RangeError("own"); })).rejects.toThrow(RangeError);
    expect(await timeout(null, () => 5)).toBe(5);
  });

  test("work that swallows the cancellation returns normally (as in Python)", async () => {
    const value = await timeout(5, async (signal, scope) => {
      await sleep(10_000, { signal }).catch(() => {});
      return scope.expired() ? "expired but swallowed" : "?";
    });
    expect(value).toBe("expired but swallowed");
  });

  test("an outer signal's abort propagates as AbortError, not TimeoutError", async () => {
    const c = new AbortController();
    const p = timeout(10_000, (signal) => sleep(10_000, { signal }), { signal: c.signal });
    c.abort();
    await expect(p).rejects.toThrow(AbortError);
  });

  test("reschedule moves the deadline; when() reports it; rescheduling after expiry throws", async () => {
    let seen: number | null = 0;
    const err = await timeout(null, async (signal, scope) => {
      expect(scope.when()).toBeNull();
      scope.reschedule(clock() + 10);
      seen = scope.when();
      await sleep(10_000, { signal });
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(seen).toBeGreaterThan(0);

    let late: unknown;
    await timeout(5, async (signal, scope) => {
      await sleep(10_000, { signal }).catch(() => {});
      try {
        scope.reschedule(clock() + 1000);
      } catch (e) {
        late = e;
      }
    });
    expect(late).toBeInstanceOf(InvalidStateError);

    // Extending the deadline lets the work finish.
    expect(await timeout(5, async (signal, scope) => {
      scope.reschedule(clock() + 200);
      return sleep(20, { signal, value: "extended" });
    })).toBe("extended");
  });

  test("timeoutAt: absolute deadline; a past deadline expires at once", async () => {
    await expect(timeoutAt(clock() - 1, (signal) => sleep(10_000, { signal }))).rejects.toThrow(TimeoutError);
    expect(await timeoutAt(clock() + 100, () => "in time")).toBe("in time");
  });

  test("NaN/negative ms → InvalidArgumentError; a non-function → InvalidArgumentError", async () => {
    await expect(timeout(Number.NaN, async () => 1)).rejects.toThrow(InvalidArgumentError);
    await expect(timeout(-5, async () => 1)).rejects.toThrow(InvalidArgumentError);
    await expect(timeout(5, Promise.resolve(1) as never)).rejects.toThrow(InvalidArgumentError);
    await expect(timeoutAt(Number.NaN, async () => 1)).rejects.toThrow(InvalidArgumentError);
  });
});

describe("waitFor", () => {
  test("a function: its signal is aborted, it is awaited, then TimeoutError", async () => {
    let cleaned = false;
    const p = waitFor(async (signal) => {
      try {
        await sleep(10_000, { signal });
      } finally {
        cleaned = true;
      }
    }, 10);
    await expect(p).rejects.toThrow(TimeoutError);
    expect(cleaned).toBe(true);
  });

  test("a task: cancelled and awaited on timeout", async () => {
    const task = createTask((signal) => sleep(10_000, { signal }));
    await expect(waitFor(task, 10)).rejects.toThrow(TimeoutError);
    expect(task.cancelled()).toBe(true);
    const quick = createTask(async () => "quick");
    expect(await waitFor(quick, 100)).toBe("quick");
  });

  test("a plain promise: TimeoutError at the deadline; it cannot be cancelled", async () => {
    await expect(waitFor(sleep(10_000), 10)).rejects.toThrow(TimeoutError);
    expect(await waitFor(sleep(1, { value: 1 }), 100)).toBe(1);
    expect(await waitFor(Promise.resolve("done"), 0)).toBe("done");
  });

  test("cancelling the caller cancels the inner task and propagates AbortError", async () => {
    const c = new AbortController();
    const inner = createTask((signal) => sleep(10_000, { signal }));
    const p = waitFor(inner, 10_000, { signal: c.signal });
    c.abort();
    await expect(p).rejects.toThrow(AbortError);
    expect(inner.cancelled()).toBe(true);
  });

  test("bad arguments", async () => {
    await expect(waitFor(sleep(1), -1)).rejects.toThrow(InvalidArgumentError);
    await expect(waitFor(sleep(1), Number.NaN)).rejects.toThrow(InvalidArgumentError);
    await expect(waitFor(42 as never, 5)).rejects.toThrow(InvalidArgumentError);
  });
});
