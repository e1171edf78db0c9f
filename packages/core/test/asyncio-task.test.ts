import { describe, expect, test } from "vitest";
import { AbortError, InvalidArgumentError } from "../src/errors.js";
import { InvalidStateError, Task, createTask, shield, sleep } from "../src/asyncio/index.js";

const turn = () => new Promise<void>((r) => setTimeout(r, 0));

describe("createTask", () => {
  test("runs concurrently and gives its value; does not start synchronously (call_soon)", async () => {
    const log: string[] = [];
    const task = createTask(async () => {
      log.push("started");
      return 42;
    }, { name: "answer" });
    log.push("created");
    expect(task.done()).toBe(false);
    expect(await task).toBe(42);
    expect(log).toEqual(["created", "started"]);
    expect(task.name).toBe("answer");
    expect(task.done()).toBe(true);
    expect(task.result()).toBe(42);
    expect(task.exception()).toBeUndefined();
    expect(task.cancelled()).toBe(false);
  });

  test("default names are Task-N", () => {
    const t = createTask(async () => 1);
    expect(t.name).toMatch(/^Task-\d+$/);
  });

  test("cancel: the signal aborts with AbortError, finally runs, awaiter sees the AbortError", async () => {
    const log: string[] = [];
    const task = createTask(async (signal) => {
      try {
        await sleep(10_000, { signal });
        log.push("not reached");
      } finally {
        log.push("finally");
      }
    });
    await turn();
    expect(task.cancel("stop it")).toBe(true);
    await expect(task).rejects.toBeInstanceOf(AbortError);
    expect(log).toEqual(["finally"]);
    expect(task.cancelled()).toBe(true);
    expect(() => task.result()).toThrow("stop it");
    expect(() => task.exception()).toThrow(AbortError);
    expect(task.cancel()).toBe(false); // done
  });

  test("a task cancelled before it started never runs", async () => {
    let ran = false;
    const task = createTask(async () => {
      ran = true;
    });
    task.cancel();
    await expect(task).rejects.toThrow(AbortError);
    expect(ran).toBe(false);
    expect(task.cancelled()).toBe(true);
  });

  test("a task that swallows the cancellation completes normally (cancel is a request, as in Python)", async () => {
    const task = createTask(async (signal) => {
      try {
        await sleep(10_000, { signal });
      } catch {
        return "swallowed";
      }
      return "slept";
    });
    await turn();
    task.cancel();
    expect(await task).toBe("swallowed");
    expect(task.cancelled()).toBe(false);
  });

  test("failure: result() throws, exception() returns it; awaiting late causes no unhandled rejection", async () => {
    const boom = new Error("boom");
    const task = createTask(async () => {
      throw boom;
    });
    await sleep(5);
    expect(task.done()).toBe(true);
    expect(task.exception()).toBe(boom);
    expect(() => task.result()).toThrow(boom);
    await expect(task).rejects.toBe(boom);
  });

  test("result()/exception() before done throw InvalidStateError", () => {
    const task = createTask(() => sleep(5));
    expect(() => task.result()).toThrow(InvalidStateError);
    expect(() => task.exception()).toThrow(InvalidStateError);
  });

  test("a parent signal cancels the task; an already-aborted one cancels it before it runs", async () => {
    const parent = new AbortController();
    const task = createTask((signal) => sleep(10_000, { signal }), { signal: parent.signal });
    await turn();
    parent.abort();
    const error = await task.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(task.cancelled()).toBe(true);

    let ran = false;
    const late = createTask(async () => { ran = true; }, { signal: parent.signal });
    await expect(late).rejects.toThrow(AbortError);
    expect(ran).toBe(false);
  });

  test("done callbacks run after completion, also when added late", async () => {
    const seen: string[] = [];
    const task = createTask(async () => "x");
    task.addDoneCallback((t) => seen.push(`a:${t.result()}`));
    const removed = () => seen.push("removed");
    task.addDoneCallback(removed);
    expect(task.removeDoneCallback(removed)).toBe(1);
    await task;
    await turn();
    task.addDoneCallback(() => seen.push("late"));
    await turn();
    expect(seen).toEqual(["a:x", "late"]);
  });

  test("bad arguments are InvalidArgumentErrors with a hint", () => {
    expect(() => createTask(Promise.resolve(1) as never)).toThrow(/pass a function instead/);
    expect(() => createTask(async () => 1, { name: 3 as never })).toThrow(InvalidArgumentError);
    expect(() => createTask(async () => 1, { signal: {} as never })).toThrow(InvalidArgumentError);
    expect(() => createTask(async () => 1, { nmae: "x" } as never)).toThrow(/unknown option "nmae"/);
  });

  test("a synchronous function and a synchronous throw are fine", async () => {
    expect(await createTask(() => 7)).toBe(7);
    const t = createTask(() => {
      throw new TypeError("sync");
    });
    await expect(t).rejects.toThrow(TypeError);
    expect(t instanceof Task).toBe(true);
  });
});

describe("sleep", () => {
  test("resolves with the value after the delay", async () => {
    const start = performance.now();
    expect(await sleep(20, { value: "v" })).toBe("v");
    expect(performance.now() - start).toBeGreaterThanOrEqual(18);
  });

  test("aborting rejects with the signal's reason; an aborted signal rejects at once", async () => {
    const c = new AbortController();
    const p = sleep(10_000, { signal: c.signal });
    c.abort(new AbortError("x"));
    await expect(p).rejects.toThrow("x");
    await expect(sleep(1, { signal: c.signal })).rejects.toThrow("x");
  });

  test("NaN/negative/non-number delays reject with InvalidArgumentError", async () => {
    await expect(sleep(Number.NaN)).rejects.toThrow(InvalidArgumentError);
    await expect(sleep(-1)).rejects.toThrow(InvalidArgumentError);
    await expect(sleep("5" as never)).rejects.toThrow(InvalidArgumentError);
  });

  test("100 sleeps of 50 ms run concurrently (~50 ms, not 5 s)", async () => {
    const start = performance.now();
    await Promise.all(Array.from({ length: 100 }, () => sleep(50)));
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe("shield", () => {
  test("cancelling the awaiter does not cancel the inner task", async () => {
    const inner = createTask(async (signal) => {
      await sleep(30, { signal });
      return "saved";
    });
    const outer = createTask((signal) => shield(inner, { signal }));
    await sleep(5);
    outer.cancel();
    await expect(outer).rejects.toThrow(AbortError);
    expect(inner.done()).toBe(false);
    expect(await inner).toBe("saved");
    expect(inner.cancelled()).toBe(false);
  });

  test("a function is started as an unlinked task; the value comes through when not cancelled", async () => {
    expect(await shield(async () => 5)).toBe(5);
  });

  test("if the inner task is cancelled, the awaiter sees its AbortError", async () => {
    const inner = createTask((signal) => sleep(10_000, { signal }));
    const p = shield(inner);
    await turn();
    inner.cancel("inner cancelled");
    await expect(p).rejects.toThrow("inner cancelled");
  });

  test("bad input", async () => {
    await expect(shield(42 as never)).rejects.toThrow(InvalidArgumentError);
  });
});
