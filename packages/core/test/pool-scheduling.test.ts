/**
 * Pool's scheduling rules, deterministic: a fake adapter whose workers are driven by the test
 * (ready, answer, crash) and fake timers for grace periods, timeouts and idle workers.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { Pool } from "../src/pool/pool.js";
import { fakeAdapter, settle } from "./fake-workers.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Pool scheduling (fake workers, fake timers)", () => {
  test("pipeline depth: before any task time is known, at most 4 tasks go to a worker at once", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter });
    const futures = Array.from({ length: 10 }, (_, i) => pool.apply("echo", [i]));
    await settle();
    expect(workers).toHaveLength(1);
    expect(workers[0]!.runMessages[0]!.tasks).toHaveLength(4);
    workers[0]!.ready();
    for (const id of workers[0]!.taskIds) workers[0]!.answer(id);
    await settle();
    // Answers arrived: the rest is sent.
    expect(workers[0]!.taskIds.length).toBeGreaterThan(4);
    while (workers[0]!.taskIds.length < 10) {
      for (const id of workers[0]!.taskIds) workers[0]!.answer(id);
      await settle();
    }
    for (const id of workers[0]!.taskIds) workers[0]!.answer(id);
    expect(await Promise.all(futures)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await pool.terminate();
  });

  test("an abortable task goes only to an idle worker, never behind another task", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter });
    const first = pool.apply("echo", [1]);
    const controller = new AbortController();
    const abortable = pool.apply("echo", [2], { signal: controller.signal });
    await settle();
    expect(workers[0]!.taskIds).toEqual([1]);
    // Aborted while it waited here: it never reaches a worker.
    controller.abort();
    await expect(abortable).rejects.toMatchObject({ name: "AbortError" });
    workers[0]!.ready();
    workers[0]!.answer(1);
    expect(await first).toBe(1);
    await settle();
    expect(workers[0]!.taskIds).toEqual([1]);
    await pool.terminate();
  });

  test("start-failure limit: three workers dying before ready fail the queue with WorkerStartError, no fourth start", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter });
    const future = pool.apply("echo", [1]);
    for (let attempt = 0; attempt < 3; attempt++) {
      await settle();
      workers[attempt]!.exit({ code: 7, signal: null });
    }
    await expect(future).rejects.toMatchObject({ name: "WorkerStartError" });
    await settle();
    expect(workers).toHaveLength(3);
    // Submitting again retries.
    const again = pool.apply("echo", [2]);
    await settle();
    expect(workers).toHaveLength(4);
    workers[3]!.ready();
    workers[3]!.answer(workers[3]!.taskIds[0]!, 2);
    expect(await again).toBe(2);
    await pool.terminate();
  });

  test("start-failure limit: the WorkerStartError's message carries the adapter's account of the last death", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "thread", size: 1, module: "file:///tasks.js", adapter });
    const future = pool.apply("echo", [1]);
    const why = new Error("The thread worker's entry script could not be loaded: the bundler did not emit it");
    for (let attempt = 0; attempt < 3; attempt++) {
      await settle();
      workers[attempt]!.exit({ code: 1, signal: null, error: why });
    }
    const error = (await future.catch((e: unknown) => e)) as Error;
    expect(error.name).toBe("WorkerStartError");
    expect(error.message).toContain("exited with code 1: The thread worker's entry script could not be loaded: the bundler did not emit it");
    expect(error.cause).toBe(why);
    await pool.terminate();
  });

  test("abort of a running task: it rejects at once, the worker is told, and replaced after the grace period if it holds on", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter, abortGrace: 500 });
    const controller = new AbortController();
    const future = pool.apply("spin", [], { signal: controller.signal });
    await settle();
    workers[0]!.ready();
    controller.abort();
    await expect(future).rejects.toMatchObject({ name: "AbortError" });
    expect(workers[0]!.sent.some((m) => m.type === "abort")).toBe(true);
    expect(pool.stats.running).toBe(0);
    vi.advanceTimersByTime(499);
    expect(workers[0]!.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    expect(workers[0]!.terminated).toBe(true);
    await pool.terminate();
  });

  test("run timeout counts from the start, not from the queue; the late answer is dropped", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter, abortGrace: 100 });
    const future = pool.apply("slow", [], { timeout: 200 });
    await settle();
    vi.advanceTimersByTime(1000); // booting does not count
    workers[0]!.ready();
    vi.advanceTimersByTime(199);
    expect(future.done()).toBe(false);
    vi.advanceTimersByTime(1);
    await expect(future).rejects.toMatchObject({ name: "TimeoutError" });
    workers[0]!.answer(1, "late");
    expect(future.exception()).toMatchObject({ name: "TimeoutError" });
    await pool.terminate();
  });

  test("crash blame with pipelined tasks: only the running task fails; the others run on a new worker", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter });
    const futures = [1, 2, 3].map((n) => pool.apply("echo", [n]));
    await settle();
    workers[0]!.ready();
    expect(workers[0]!.taskIds).toEqual([1, 2, 3]);
    workers[0]!.exit({ code: null, signal: "SIGKILL" });
    await expect(futures[0]).rejects.toMatchObject({ name: "WorkerExitError", signal: "SIGKILL" });
    await settle();
    expect(workers).toHaveLength(2);
    expect(workers[1]!.taskIds).toEqual([2, 3]);
    workers[1]!.ready();
    workers[1]!.answer(2, "b");
    workers[1]!.answer(3, "c");
    expect(await Promise.all(futures.slice(1))).toEqual(["b", "c"]);
    await pool.terminate();
  });

  test("a failing task rejects alone with its error; the worker keeps serving", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter });
    const [bad, good] = [pool.apply("boom", []), pool.apply("echo", [5])];
    await settle();
    workers[0]!.ready();
    workers[0]!.throwIn(1, new RangeError("nope"));
    workers[0]!.answer(2, 5);
    await expect(bad).rejects.toBeInstanceOf(RangeError);
    expect(await good).toBe(5);
    expect(workers).toHaveLength(1);
    await pool.terminate();
  });

  test("idle timeout: an idle worker stops after idleTimeout and a new one starts on demand", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter, idleTimeout: 300 });
    const first = pool.apply("echo", [1]);
    await settle();
    workers[0]!.ready();
    workers[0]!.answer(1);
    await first;
    vi.advanceTimersByTime(299);
    expect(workers[0]!.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    expect(workers[0]!.terminated).toBe(true);
    const second = pool.apply("echo", [2]);
    await settle();
    expect(workers).toHaveLength(2);
    workers[1]!.ready();
    workers[1]!.answer(2);
    expect(await second).toBe(2);
    await pool.terminate();
  });

  test("maxTasksPerWorker: a worker is retired after its quota and nothing is lost", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter, maxTasksPerWorker: 2 });
    const futures = [1, 2, 3].map((n) => pool.apply("echo", [n]));
    await settle();
    workers[0]!.ready();
    expect(workers[0]!.taskIds).toEqual([1, 2]);
    workers[0]!.answer(1);
    workers[0]!.answer(2);
    await settle();
    expect(workers[0]!.terminated).toBe(true);
    expect(workers[1]!.taskIds).toEqual([3]);
    workers[1]!.ready();
    workers[1]!.answer(3);
    expect(await Promise.all(futures)).toEqual([1, 2, 3]);
    await pool.terminate();
  });

  test("a send the transport refuses fails that task only; its batch-mates are sent", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter });
    const futures = [1, 2, 3].map((n) => pool.apply("echo", [n]));
    const original = adapter.start.bind(adapter);
    adapter.start = (kind, options) => {
      const endpoint = original(kind, options);
      const send = endpoint.send.bind(endpoint);
      endpoint.send = (message, transfer) => {
        if (message.type === "run" && message.tasks.some((t) => t.args[0] === 2)) throw new Error("transport refused");
        send(message, transfer);
      };
      return endpoint;
    };
    await settle();
    await expect(futures[1]).rejects.toThrow(/transport refused/);
    expect(workers[0]!.taskIds).toEqual([1, 3]);
    workers[0]!.ready();
    workers[0]!.answer(1);
    workers[0]!.answer(3);
    expect(await futures[0]).toBe(1);
    expect(await futures[2]).toBe(3);
    await pool.terminate();
  });

  test("close() waits for queued and running tasks, then stops the workers; terminate() fails what is left", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter });
    const future = pool.apply("echo", [1]);
    await settle();
    const closed = pool.close();
    let closedYet = false;
    void closed.then(() => (closedYet = true));
    await settle();
    expect(closedYet).toBe(false);
    workers[0]!.ready();
    workers[0]!.answer(1);
    expect(await future).toBe(1);
    await closed;
    expect(workers[0]!.terminated).toBe(true);
    await expect(pool.apply("echo", [2])).rejects.toMatchObject({ name: "PoolClosedError" });

    const other = fakeAdapter();
    const pool2 = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter: other.adapter });
    const pending = [pool2.apply("echo", [1]), pool2.apply("echo", [2])];
    await settle();
    await pool2.terminate();
    for (const f of pending) await expect(f).rejects.toMatchObject({ name: "PoolClosedError" });
  });
});

describe("Back-pressure and timings (fake workers, fake timers)", () => {
  test('needsDrain rises at maxQueue and its fall dispatches "drain" once; ready() resolves then', async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, maxQueue: 3, module: "file:///tasks.js", adapter });
    let drains = 0;
    pool.addEventListener("drain", () => drains++);
    const futures = [pool.apply("echo", [1]), pool.apply("echo", [2])];
    expect(pool.needsDrain).toBe(false);
    futures.push(pool.apply("echo", [3]));
    expect(pool.needsDrain).toBe(true);
    await expect(pool.apply("echo", [4])).rejects.toMatchObject({ name: "QueueFullError" });
    let ready = false;
    void pool.ready().then(() => (ready = true));
    await settle();
    // The worker took the queued tasks into its pipeline: the queue fell below the mark.
    expect(pool.needsDrain).toBe(false);
    expect(drains).toBe(1);
    expect(ready).toBe(true);
    workers[0]!.ready();
    for (const id of workers[0]!.taskIds) workers[0]!.answer(id);
    expect(await Promise.all(futures)).toEqual([1, 2, 3]);
    expect(drains).toBe(1);
    await pool.terminate();
  });

  test("with an unbounded queue the mark is the pool size", async () => {
    const { adapter } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 2, module: "file:///tasks.js", adapter });
    void pool.apply("echo", [1]).catch(() => undefined);
    expect(pool.needsDrain).toBe(false);
    void pool.apply("echo", [2]).catch(() => undefined);
    expect(pool.needsDrain).toBe(true);
    await pool.terminate();
  });

  test('maxQueue "auto" is size² with a floor of 16; bad values are refused with the alternative named', () => {
    const { adapter } = fakeAdapter();
    expect(new Pool({ size: 2, maxQueue: "auto", adapter }).maxQueue).toBe(16);
    expect(new Pool({ size: 8, maxQueue: "auto", adapter }).maxQueue).toBe(64);
    expect(new Pool({ size: 2, adapter }).maxQueue).toBe(Infinity);
    expect(() => new Pool({ size: 2, maxQueue: "big" as never, adapter })).toThrow(/maxQueue.*"auto"/);
    expect(() => new Pool({ size: 2, maxQueue: -1, adapter })).toThrow(/maxQueue/);
  });

  test("a room waiter is woken when the start-failure limit empties the queue", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, maxQueue: 1, module: "file:///tasks.js", adapter });
    // Tasks with a signal go only to an idle worker: the second one waits in the queue.
    const signal = new AbortController().signal;
    const first = pool.apply("echo", [1], { signal });
    await settle();
    const second = pool.apply("echo", [2], { signal });
    await settle();
    expect(pool.stats.queued).toBe(1);
    expect(pool.needsDrain).toBe(true);
    let ready = false;
    void pool.ready().then(() => (ready = true), () => (ready = true));
    for (let attempt = 0; attempt < 3; attempt++) {
      await settle();
      workers[attempt]!.exit({ code: 7, signal: null });
    }
    await expect(first).rejects.toMatchObject({ name: "WorkerStartError" });
    await expect(second).rejects.toMatchObject({ name: "WorkerStartError" });
    await settle();
    expect(ready).toBe(true);
    expect(pool.needsDrain).toBe(false);
    await pool.terminate();
  });

  test("stats report run and wait times: counts, order of percentiles, and reset", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter });
    const futures = [pool.apply("echo", [1]), pool.apply("echo", [2])];
    await settle();
    vi.advanceTimersByTime(50);
    workers[0]!.ready();
    vi.advanceTimersByTime(30);
    workers[0]!.answer(1);
    vi.advanceTimersByTime(20);
    workers[0]!.answer(2);
    await Promise.all(futures);
    const { runTime, waitTime } = pool.stats;
    expect(runTime.count).toBe(2);
    expect(waitTime.count).toBe(2);
    expect(runTime.min).toBeGreaterThanOrEqual(19);
    expect(runTime.max).toBeGreaterThanOrEqual(29);
    expect(waitTime.max).toBeGreaterThanOrEqual(79);
    for (const summary of [runTime, waitTime]) {
      expect(summary.min).toBeLessThanOrEqual(summary.p50);
      expect(summary.p50).toBeLessThanOrEqual(summary.p99);
      expect(summary.p99).toBeLessThanOrEqual(summary.max);
    }
    pool.resetTimes();
    expect(pool.stats.runTime.count).toBe(0);
    await pool.terminate();
  });
});
