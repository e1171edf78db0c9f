/**
 * A pool's worker hooks and progress, deterministic: fake workers driven by the test answer the
 * setup, teardown and progress messages, and fake timers bound the teardown.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { WorkerStartError } from "../src/errors.js";
import { serializeError } from "../src/codec/thrown.js";
import type { RunMessage } from "../src/protocol.js";
import { Pool } from "../src/pool/pool.js";
import { TEARDOWN_BOUND_MS } from "../src/pool/worker-hooks.js";
import { type FakeWorker, fakeAdapter, settle } from "./fake-workers.js";

async function oneTaskRun(pool: Pool, workers: FakeWorker[]): Promise<FakeWorker> {
  const future = pool.apply("echo", [1]);
  await settle();
  const worker = workers[0]!;
  worker.start();
  worker.answer(worker.taskIds[0]!);
  await future;
  return worker;
}

function errorEvents(pool: Pool): { source: string; error: Error; worker?: number; id?: number }[] {
  const seen: { source: string; error: Error }[] = [];
  pool.addEventListener("error", (event) => seen.push((event as CustomEvent).detail));
  return seen;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Pool worker hooks (fake workers, fake timers)", () => {
  test("every worker gets the setup before any task, and is ready only once its initializer has run", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter, initializer: "connect", initargs: ["db", 3], taskTimeout: 100 });
    const future = pool.apply("echo", [1]);
    await settle();
    const worker = workers[0]!;
    expect(worker.types()).toEqual(["setup", "run"]);
    expect(worker.sent[0]).toEqual({ type: "setup", initializer: { target: { module: "file:///tasks.js", name: "connect" }, args: ["db", 3], encoded: false } });
    worker.say({ type: "ready" });
    // Loaded, still initializing: the task's run timeout has not started.
    vi.advanceTimersByTime(1_000);
    expect(future.done()).toBe(false);
    expect(future.running()).toBe(false);
    worker.say({ type: "setup-done" });
    expect(future.running()).toBe(true);
    worker.answer(worker.taskIds[0]!, "one");
    expect(await future).toBe("one");
  });

  test("an initializer that fails: its worker is stopped and replaced; after the start-failure limit the tasks reject with WorkerStartError carrying its error", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter, initializer: "connect" });
    const futures = [pool.apply("echo", [1]), pool.apply("echo", [2])];
    const outcomes = Promise.allSettled(futures);
    for (let i = 0; i < 3; i++) {
      await settle();
      expect(workers).toHaveLength(i + 1);
      workers[i]!.start(new RangeError("no database"));
      expect(workers[i]!.terminated).toBe(true);
    }
    const results = await outcomes;
    for (const result of results) {
      expect(result.status).toBe("rejected");
      const error = (result as PromiseRejectedResult).reason as WorkerStartError;
      expect(error).toBeInstanceOf(WorkerStartError);
      expect(error.message).toMatch(/initializer "connect" failed in 3 process workers in a row/);
      expect((error.cause as Error).name).toBe("RangeError");
      expect((error.cause as Error).message).toBe("no database");
    }
    await settle();
    expect(workers).toHaveLength(3);
    // Submitting again tries once more.
    const again = pool.apply("echo", [3]);
    await settle();
    expect(workers).toHaveLength(4);
    workers[3]!.start(new RangeError("still none"));
    await expect(again).rejects.toBeInstanceOf(WorkerStartError);
    await settle();
    expect(workers).toHaveLength(4);
  });

  test("close() runs the teardown, then stops the worker; one that throws is the pool's error event", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter, teardown: "disconnect" });
    const errors = errorEvents(pool);
    const worker = await oneTaskRun(pool, workers);
    const closed = pool.close();
    await settle();
    expect(worker.types()).toEqual(["setup", "run", "teardown"]);
    expect(worker.terminated).toBe(false);
    worker.say({ type: "teardown-done", error: serializeError(new RangeError("bye failed")) });
    await closed;
    expect(worker.terminated).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ source: "teardown", worker: 1 });
    expect(errors[0]!.error.name).toBe("RangeError");
  });

  test(`a teardown gets ${TEARDOWN_BOUND_MS} ms, then the worker is stopped anyway and the overrun reported`, async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter, teardown: "disconnect", idleTimeout: 10 });
    const errors = errorEvents(pool);
    const worker = await oneTaskRun(pool, workers);
    vi.advanceTimersByTime(10);
    expect(worker.types().at(-1)).toBe("teardown");
    vi.advanceTimersByTime(TEARDOWN_BOUND_MS - 20);
    await settle();
    expect(worker.terminated).toBe(false);
    vi.advanceTimersByTime(20);
    await settle();
    expect(worker.terminated).toBe(true);
    expect(errors[0]!.error.name).toBe("TimeoutError");
    await pool.close();
  });

  test("terminate() runs no teardown; a worker that never became ready gets none", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter, teardown: "disconnect" });
    const future = pool.apply("echo", [1]);
    future.catch(() => undefined);
    await settle();
    workers[0]!.start();
    await pool.terminate();
    expect(workers[0]!.types()).not.toContain("teardown");
    expect(workers[0]!.terminated).toBe(true);
  });

  test("progress reaches onProgress in order while the task runs, never after it settled; a throwing callback is the pool's error event", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter });
    const errors = errorEvents(pool);
    const seen: unknown[] = [];
    const future = pool.apply("work", [], {
      onProgress: (value) => {
        seen.push(value);
        if (value === "bad") throw new RangeError("listener bug");
      },
    });
    const quiet = pool.apply("work", []);
    await settle();
    const worker = workers[0]!;
    worker.say({ type: "ready" });
    const [id, quietId] = worker.taskIds;
    expect((worker.sent[0] as RunMessage).tasks.map((t) => t.progress)).toEqual([true, undefined]);
    worker.say({ type: "progress", id: id!, value: 1, encoded: false });
    worker.say({ type: "progress", id: id!, value: "bad", encoded: false });
    worker.say({ type: "progress", id: id!, value: { n: 3 }, encoded: false });
    worker.answer(id!);
    worker.say({ type: "progress", id: id!, value: "late", encoded: false });
    worker.answer(quietId!);
    await Promise.all([future, quiet]);
    expect(seen).toEqual([1, "bad", { n: 3 }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ source: "onProgress", id });
  });

  test("bad hook and progress options are named errors up front", async () => {
    const { adapter } = fakeAdapter();
    const make = (options: object) => () => new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter, ...options });
    expect(make({ initializer: 42 })).toThrow(/initializer must be the name of a function/);
    expect(make({ initializer: "" })).toThrow(/an empty string/);
    expect(make({ teardown: null })).toThrow(/teardown must be/);
    expect(make({ initializer: "connect", initargs: "db" })).toThrow(/initargs must be an array/);
    expect(make({ initargs: [] })).toThrow(/without an initializer/);
    expect(() => new Pool({ kind: "process", size: 1, adapter, initializer: "connect" })).toThrow(/no task module was set/);
    for (const bad of [make({ initializer: 42 }), make({ initargs: [] })]) expect(bad).toThrow(expect.objectContaining({ name: "InvalidArgumentError" }));
    const pool = new Pool({ kind: "process", size: 1, module: "file:///tasks.js", adapter });
    await expect(pool.apply("echo", [1], { onProgress: 3 as never })).rejects.toThrow(/onProgress must be a function/);
    await expect(pool.map("echo", [1], { onProgress: "x" as never })).rejects.toThrow(/onProgress must be a function/);
  });
});
