/** An executor over a pool it is given (a ClusterPool, say): it runs there, owns it, and takes no other option with it. */
import { describe, expect, test } from "vitest";
import { ProcessPoolExecutor, ThreadPoolExecutor } from "../src/futures/executor.js";
import { Pool } from "../src/pool/pool.js";
import { fakeAdapter, settle } from "./fake-workers.js";

describe("an executor over a given pool", () => {
  test("runs its tasks on that pool, reports its size, and closes it on shutdown", async () => {
    const { adapter, workers } = fakeAdapter();
    const pool = new Pool({ kind: "process", size: 3, module: "file:///tasks.js", adapter });
    const executor = new ProcessPoolExecutor<{ echo(value: number): number }>({ pool: pool as never });
    expect(executor.pool).toBe(pool);
    expect(executor.maxWorkers).toBe(3);
    const future = executor.submit("echo", 7);
    await settle();
    workers[0]!.start();
    await settle();
    workers[0]!.answer(workers[0]!.taskIds[0]!, 7);
    expect(await future).toBe(7);
    const shutdown = executor.shutdown();
    for (const worker of workers) worker.exit({ code: 0, signal: null });
    await shutdown;
    expect(pool.closed).toBe(true);
  });

  test("a pool with other options, or something that is not a pool, is an InvalidArgumentError saying why", () => {
    const { adapter } = fakeAdapter();
    const pool = new Pool({ kind: "thread", size: 1, adapter });
    expect(() => new ThreadPoolExecutor({ pool: pool as never, maxWorkers: 2 })).toThrow(/with a pool given.*leave out maxWorkers/);
    expect(() => new ThreadPoolExecutor({ pool: pool as never, module: "file:///x.js" })).toThrow(/leave out module/);
    expect(() => new ThreadPoolExecutor({ pool: {} as never })).toThrow(/pool must be a pool.*submit, imap and close/);
    expect(() => new ThreadPoolExecutor({ pool: null as never })).toThrow(/got null/);
    void pool.close();
  });
});
