import { describe, expect, test } from "vitest";
import { AbortError, InvalidArgumentError } from "../src/errors.js";
import { InvalidStateError, TaskGroup, createTask, sleep } from "../src/asyncio/index.js";

async function caught(p: PromiseLike<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("TaskGroup", () => {
  test("waits for every child; children run concurrently", async () => {
    const start = performance.now();
    const group = new TaskGroup();
    const tasks = Array.from({ length: 50 }, (_, i) => group.createTask((signal) => sleep(30, { signal, value: i })));
    await group.wait();
    expect(tasks.map((t) => t.result())).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(performance.now() - start).toBeLessThan(1000);
  });

  test("one child fails → siblings cancelled, their finally runs, AggregateError holds just that failure", async () => {
    const log: string[] = [];
    const boom = new Error("boom");
    const group = new TaskGroup();
    const sibling = group.createTask(async (signal) => {
      try {
        await sleep(10_000, { signal });
      } finally {
        log.push("sibling finally");
      }
    });
    group.createTask(async () => {
      await sleep(5);
      throw boom;
    });
    const error = await caught(group.wait());
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors).toEqual([boom]);
    expect((error as AggregateError).message).toBe("unhandled errors in a TaskGroup (1 sub-exception)");
    expect(log).toEqual(["sibling finally"]);
    expect(sibling.cancelled()).toBe(true);
    expect(group.signal.aborted).toBe(true);
  });

  test("two children fail → both in the group error (also one raised while cancelling)", async () => {
    const e1 = new Error("first");
    const e2 = new Error("in cleanup");
    const group = new TaskGroup();
    group.createTask(async () => {
      await sleep(5);
      throw e1;
    });
    group.createTask(async (signal) => {
      try {
        await sleep(10_000, { signal });
      } catch {
        throw e2;
      }
    });
    const error = (await caught(group.wait())) as AggregateError;
    expect(error.errors).toEqual([e1, e2]);
    expect(error.message).toBe("unhandled errors in a TaskGroup (2 sub-exceptions)");
  });

  test("two children failing at the same time are both reported", async () => {
    const error = (await caught(TaskGroup.run(async (g) => {
      g.createTask(async () => { throw new Error("a"); });
      g.createTask(async () => { throw new Error("b"); });
    }))) as AggregateError;
    expect(error.errors.map((e: Error) => e.message)).toEqual(["a", "b"]);
  });

  test("nested group failure propagates as a nested AggregateError and cancels the outer siblings", async () => {
    let outerSiblingCancelled = false;
    const inner = new Error("inner");
    const error = (await caught(TaskGroup.run(async (outer) => {
      outer.createTask(async (signal) => {
        try {
          await sleep(10_000, { signal });
        } catch (e) {
          outerSiblingCancelled = (e as Error).name === "AbortError";
          throw e;
        }
      });
      outer.createTask((signal) => TaskGroup.run(async (g) => {
        g.createTask(async () => { throw inner; });
        g.createTask((s) => sleep(10_000, { signal: s }));
      }, { signal }));
    }))) as AggregateError;
    expect(error.errors).toHaveLength(1);
    const nested = error.errors[0] as AggregateError;
    expect(nested).toBeInstanceOf(AggregateError);
    expect(nested.errors).toEqual([inner]);
    expect(outerSiblingCancelled).toBe(true);
  });

  test("aborting the parent signal cancels every child (nested too) and wait() throws AbortError", async () => {
    const parent = new AbortController();
    const log: string[] = [];
    const group = new TaskGroup({ signal: parent.signal });
    group.createTask(async (signal) => {
      try {
        await sleep(10_000, { signal });
      } finally {
        log.push("child");
      }
    });
    group.createTask((signal) => TaskGroup.run(async (inner) => {
      inner.createTask(async (s) => {
        try {
          await sleep(10_000, { signal: s });
        } finally {
          log.push("grandchild");
        }
      });
    }, { signal }));
    await sleep(5);
    parent.abort();
    const error = await caught(group.wait());
    expect(error).toBeInstanceOf(AbortError);
    expect(log.sort()).toEqual(["child", "grandchild"]);
  });

  test("errors have priority over the parent's cancellation", async () => {
    const parent = new AbortController();
    const group = new TaskGroup({ signal: parent.signal });
    group.createTask(async (signal) => {
      try {
        await sleep(10_000, { signal });
      } catch {
        throw new Error("cleanup failed");
      }
    });
    await sleep(1);
    parent.abort();
    const error = (await caught(group.wait())) as AggregateError;
    expect(error).toBeInstanceOf(AggregateError);
    expect(error.errors[0]).toHaveProperty("message", "cleanup failed");
  });

  test("a group whose parent signal is already aborted cancels tasks before they run", async () => {
    let ran = false;
    const group = new TaskGroup({ signal: AbortSignal.abort() });
    expect(() => group.createTask(async () => { ran = true; })).toThrow(InvalidStateError);
    await expect(group.wait()).rejects.toThrow(AbortError);
    expect(ran).toBe(false);
  });

  test("adding a task to a finished group or one shutting down throws InvalidStateError", async () => {
    const group = new TaskGroup({ name: "g1" });
    group.createTask(async () => 1);
    await group.wait();
    expect(() => group.createTask(async () => 2)).toThrow(/TaskGroup g1 is finished/);

    const failing = new TaskGroup();
    failing.createTask(async () => { throw new Error("x"); });
    await sleep(1);
    expect(() => failing.createTask(async () => 2)).toThrow(/is shutting down/);
    await expect(failing.wait()).rejects.toBeInstanceOf(AggregateError);
  });

  test("tasks may be added while the group waits (Python allows it until it is finished)", async () => {
    const group = new TaskGroup();
    const results: number[] = [];
    group.createTask(async () => {
      await sleep(5);
      group.createTask(async () => {
        await sleep(5);
        results.push(2);
      });
      results.push(1);
    });
    await group.wait();
    expect(results).toEqual([1, 2]);
    expect(group.wait()).toBe(group.wait()); // idempotent
  });

  test("run(): resolves with the body's value; a child failure aborts group.signal so the body stops", async () => {
    expect(await TaskGroup.run(async (g) => {
      const t = g.createTask(async () => 20);
      return (await t) + 1;
    })).toBe(21);

    const log: string[] = [];
    const error = (await caught(TaskGroup.run(async (g) => {
      g.createTask(async () => {
        await sleep(5);
        throw new Error("child");
      });
      try {
        await sleep(10_000, { signal: g.signal }); // Python cancels the body here
      } finally {
        log.push("body interrupted");
      }
    }))) as AggregateError;
    expect(log).toEqual(["body interrupted"]);
    expect(error.errors.map((e: Error) => e.message)).toEqual(["child"]); // the body's AbortError is not an error
  });

  test("run(): a body error cancels the children and is added last", async () => {
    let childCancelled = false;
    const bodyError = new Error("body");
    const error = (await caught(TaskGroup.run(async (g) => {
      g.createTask(async (signal) => {
        try {
          await sleep(10_000, { signal });
        } catch (e) {
          childCancelled = true;
          throw e;
        }
      });
      await sleep(2);
      throw bodyError;
    }))) as AggregateError;
    expect(childCancelled).toBe(true);
    expect(error.errors).toEqual([bodyError]);
  });

  test("await using waits for the children when the block ends", async () => {
    const log: string[] = [];
    {
      await using group = new TaskGroup();
      group.createTask(async () => {
        await sleep(10);
        log.push("child done");
      });
      log.push("block end");
    }
    log.push("after block");
    expect(log).toEqual(["block end", "child done", "after block"]);
  });

  test("await using surfaces the AggregateError", async () => {
    const run = async () => {
      await using group = new TaskGroup();
      group.createTask(async () => { throw new Error("x"); });
    };
    await expect(run()).rejects.toBeInstanceOf(AggregateError);
  });

  test("cancelled children are not errors; a group with only cancellations succeeds", async () => {
    const group = new TaskGroup();
    const t = group.createTask((signal) => sleep(10_000, { signal }));
    await sleep(1);
    t.cancel();
    await group.wait();
    expect(t.cancelled()).toBe(true);
  });

  test("a standalone task cancelled from outside the group does not abort it", async () => {
    const outside = createTask((signal) => sleep(10_000, { signal }));
    const group = new TaskGroup();
    group.createTask(async () => {
      outside.cancel();
      return await outside.then(() => 0, () => 1);
    });
    await group.wait();
    expect(group.signal.aborted).toBe(false);
  });

  test("bad arguments", async () => {
    expect(() => new TaskGroup({ signal: 5 } as never)).toThrow(InvalidArgumentError);
    expect(() => new TaskGroup({ bogus: 1 } as never)).toThrow(/unknown option/);
    await expect(TaskGroup.run(5 as never)).rejects.toThrow(InvalidArgumentError);
  });
});
