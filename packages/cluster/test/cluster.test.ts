// The cluster pool against a real redis-server and three worker nodes, each its own OS process
// started through the weft-cluster CLI: the Pool surface, errors, values, and the failure cases
// that do not kill a node (the others are in failover.test.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { AbortError, PoolClosedError } from "@weft/core";
import { eventually } from "@weft/conformance";
import { Pool, adapter } from "weftjs";
import { ClusterPool, InlineTaskError } from "../src/index.js";
import { startRedisServer, type RedisServer } from "../src/testing/redis-server.js";
import { startNode, stopNodes, type NodeProcess } from "./support/cluster.js";

type Fixtures = typeof import("@weft/conformance/fixtures/tasks.js");
type NodeTasks = typeof import("./fixtures/node-tasks.mjs");

const QUEUE = "weft-basic";
let redis: RedisServer;
let nodes: NodeProcess[] = [];
let marks: string;

beforeAll(async () => {
  redis = await startRedisServer();
  marks = mkdtempSync(join(tmpdir(), "weft-cluster-marks-"));
  nodes = await Promise.all(["a", "b", "c"].map((name) => startNode({ redis: redis.url, name, queue: QUEUE, kind: "process", size: 2 })));
});

afterAll(async () => {
  await stopNodes(nodes);
  await redis?.stop();
  rmSync(marks, { recursive: true, force: true });
});

const fixtures = () => new ClusterPool<Fixtures>({ redis: redis.url, module: "fixtures", queue: QUEUE });
const nodeTasks = () => new ClusterPool<NodeTasks>({ redis: redis.url, module: "node", queue: QUEUE });

/** The error a task rejected with (it must reject). */
async function rejection(task: PromiseLike<unknown>): Promise<any> {
  try {
    await task;
  } catch (error) {
    return error;
  }
  throw new Error("expected the task to reject, but it resolved");
}

const runs = () => (existsSync(join(marks, "runs.log")) ? readFileSync(join(marks, "runs.log"), "utf8") : "");

describe("the Pool surface", () => {
  test("apply, submit, map in order, starmap, imap and imapUnordered", async () => {
    await using pool = fixtures();
    expect(await pool.apply("add", [2, 3])).toBe(5);
    const future = pool.submit("sleepThen", [50, "done"]);
    expect(future.done()).toBe(false);
    expect(await future).toBe("done");
    expect(future.state).toBe("fulfilled");
    const items = Array.from({ length: 103 }, (_, i) => i);
    expect(await pool.map("double", items)).toEqual(items.map((i) => i * 2));
    expect(await pool.map("double", items, { chunksize: 7 })).toEqual(items.map((i) => i * 2));
    expect(await pool.map("double", [])).toEqual([]);
    expect(await pool.starmap("add", [[1, 2], [3, 4], [5, 6]])).toEqual([3, 7, 11]);
    const ordered: number[] = [];
    async function* source() {
      for (let i = 0; i < 20; i++) yield i;
    }
    for await (const value of pool.imap("double", source(), { buffer: 3 })) ordered.push(value);
    expect(ordered).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
    const unordered: number[] = [];
    for await (const value of pool.imapUnordered("double", [1, 2, 3, 4, 5])) unordered.push(value);
    expect(unordered.sort((a, b) => a - b)).toEqual([2, 4, 6, 8, 10]);
    const stats = pool.stats;
    expect(stats.completed).toBeGreaterThan(0);
    expect(stats.queued + stats.running).toBe(0);
  });

  test("a map rejects with the first failing chunk's error, in input order", async () => {
    await using pool = fixtures();
    await expect(pool.map("fail", ["type", "cause"], { chunksize: 1 })).rejects.toThrow(TypeError);
  });

  test("events: queued, running, completed, failed, each with the job id", async () => {
    await using pool = fixtures();
    const seen: string[] = [];
    for (const type of ["queued", "running", "completed", "failed"] as const) {
      pool.addEventListener(type, (event) => seen.push(`${type}:${(event as CustomEvent).detail.id}`));
    }
    const ok = pool.submit("sleepThen", [100, 1]);
    await ok;
    await pool.apply("fail", ["type"]).catch(() => undefined);
    await eventually(() => seen.filter((s) => s.startsWith("failed:")).length === 1, "the failed event", 30_000);
    const types = seen.map((s) => s.split(":")[0]);
    expect(types.filter((t) => t === "queued")).toHaveLength(2);
    expect(types.filter((t) => t === "completed")).toHaveLength(1);
    expect(types).toContain("running");
  });

  test("jobs spread over the three nodes", async () => {
    await using pool = nodeTasks();
    const ids = Array.from({ length: 24 }, (_, i) => `spread-${i}`);
    const results = await Promise.all(ids.map((id) => pool.apply("slowMark", [150, marks, id])));
    const perNode = new Map<string, number>();
    for (const { node } of results) perNode.set(node, (perNode.get(node) ?? 0) + 1);
    console.log(`jobs per node: ${JSON.stringify(Object.fromEntries(perNode))}`);
    expect([...perNode.keys()].sort()).toEqual(["a", "b", "c"]);
  });

  test("two clients never share job ids, even when Math.random repeats itself: each gets its own result", async () => {
    // Ids used to be an 8-character Math.random prefix: two clients that drew the same one took
    // each other's results. They are now 128 bits from crypto.getRandomValues.
    const random = vi.spyOn(Math, "random").mockReturnValue(0.5);
    let first: ClusterPool<Fixtures>, second: ClusterPool<Fixtures>;
    try {
      first = fixtures();
      second = fixtures();
    } finally {
      random.mockRestore();
    }
    await using a = first;
    await using b = second;
    const ids: string[][] = [[], []];
    a.addEventListener("queued", (event) => ids[0]!.push((event as CustomEvent).detail.id));
    b.addEventListener("queued", (event) => ids[1]!.push((event as CustomEvent).detail.id));
    expect(await Promise.all([a.apply("add", [1, 1]), b.apply("add", [2, 2])])).toEqual([2, 4]);
    expect(ids[0]![0]).toMatch(/^w[0-9a-f]{32}-1$/);
    expect(ids[1]![0]).toMatch(/^w[0-9a-f]{32}-1$/);
    expect(ids[0]![0]).not.toBe(ids[1]![0]);
  });

  test("nodeCount sees the three nodes", async () => {
    await using pool = fixtures();
    expect(await pool.nodeCount()).toBe(3);
  });
});

describe("errors and values cross with weft's encoding", () => {
  test("name, class, cause chain, AggregateError members, own properties, remote and caller stack", async () => {
    await using pool = fixtures();
    const type = await rejection(pool.apply("fail", ["type"]));
    expect(type).toBeInstanceOf(TypeError);
    expect(type.message).toBe("wrong type here");
    expect(type.stack).toMatch(/fixtures\/tasks\.js/);
    expect(type.stack).toMatch(/awaited in the caller[\s\S]*cluster\.test\.ts/);
    const caused = await rejection(pool.apply("fail", ["cause"]));
    expect(caused.cause).toBeInstanceOf(RangeError);
    expect(caused.cause.message).toBe("inner cause");
    const aggregate = await rejection(pool.apply("fail", ["aggregate"]));
    expect(aggregate).toBeInstanceOf(AggregateError);
    expect(aggregate.errors.map((e: Error) => e.name)).toEqual(["Error", "TypeError"]);
    const props = await rejection(pool.apply("fail", ["props"]));
    expect(props.code).toBe("E_WEFT_TEST");
    expect(props.detail).toEqual({ retry: 3 });
    const custom = await rejection(pool.apply("fail", ["custom"]));
    expect(custom.name).toBe("CustomFailure");
    expect(await pool.apply("fail", ["string"]).catch((e) => e)).toBe("a thrown string");
  });

  test("structured values round-trip: Map, Set, Date, BigInt, typed arrays, undefined, NaN, -0, nested", async () => {
    await using pool = fixtures();
    const value = {
      map: new Map<unknown, unknown>([[1, "one"], ["two", new Set([2n])]]),
      date: new Date(1234567890),
      big: -(2n ** 70n),
      bytes: new Uint8Array([0, 255, 7]),
      floats: new Float64Array([1.5, -0, NaN]),
      buffer: new Uint16Array([1, 65535]).buffer,
      nothing: undefined,
      nan: NaN,
      negZero: -0,
      infinity: -Infinity,
      regexp: /we+ft/gi,
      error: new RangeError("inside"),
      $weft: "a plain key that looks like a tag",
      nested: [[{ deep: [null, true, "x"] }]],
    };
    const back = (await pool.apply("echo", [value])) as typeof value;
    expect(back.map).toEqual(value.map);
    expect(back.date).toEqual(value.date);
    expect(back.big).toBe(value.big);
    expect(back.bytes).toEqual(value.bytes);
    expect([...back.floats]).toEqual([1.5, -0, NaN]);
    expect(Object.is(back.floats[1], -0)).toBe(true);
    expect(new Uint16Array(back.buffer)).toEqual(new Uint16Array([1, 65535]));
    expect("nothing" in back && back.nothing === undefined).toBe(true);
    expect(back.nan).toBeNaN();
    expect(Object.is(back.negZero, -0)).toBe(true);
    expect(back.infinity).toBe(-Infinity);
    expect(back.regexp).toEqual(/we+ft/gi);
    expect(back.error).toBeInstanceOf(RangeError);
    expect(back.$weft).toBe(value.$weft);
    expect(back.nested).toEqual(value.nested);
  });

  test("what cannot cross is refused before it is queued, naming the argument", async () => {
    await using pool = fixtures();
    await expect(pool.apply("echo", [{ handler: () => 1 }] as never)).rejects.toThrow(/args\[0\]\.handler/);
    await expect(pool.apply("echo", [new SharedArrayBuffer(4)] as never)).rejects.toMatchObject({ name: "DataCloneError" });
    await expect(pool.apply("echo", [{ point: new (class Point { x = 1; })() }] as never)).rejects.toThrow(/args\[0\]\.point.*instance of Point/);
  });

  test("a cycle and a shared reference arrive as they were sent, through a node and back", async () => {
    await using pool = fixtures();
    const shared = { n: 1 };
    const cycle: Record<string, unknown> = { a: shared, b: shared };
    cycle.self = cycle;
    const back = (await pool.apply("echo", [cycle])) as typeof cycle;
    expect(back.self).toBe(back);
    expect(back.a).toBe(back.b);
    expect(back.a).toEqual({ n: 1 });
  });
});

describe("refusals", () => {
  test("an inline function is refused with InlineTaskError: no code travels", async () => {
    await using pool = fixtures();
    const error = await rejection(pool.apply(((a: number) => a) as never, [1] as never));
    expect(error).toBeInstanceOf(InlineTaskError);
    expect(error.name).toBe("InlineTaskError");
    expect(error.message).toMatch(/no code travels/);
    await expect(pool.map(((n: number) => n) as never, [1, 2])).rejects.toBeInstanceOf(InlineTaskError);
  });

  test("a node runs only the modules it was started with", async () => {
    await using pool = new ClusterPool({ redis: redis.url, module: new URL("file:///somewhere/else/secret-tasks.js"), queue: QUEUE });
    const error = await rejection(pool.apply("anything", []));
    expect(error.name).toBe("TaskReferenceError");
    expect(error.message).toMatch(/runs only the task modules it was started with \(fixtures, node\); the job asks for "secret-tasks"/);
  });

  test("an unknown task of a known module is a TaskReferenceError", async () => {
    await using pool = fixtures();
    await expect(pool.apply("noSuchTask" as never, [] as never)).rejects.toMatchObject({ name: "TaskReferenceError" });
  });

  test("bad options are named errors", () => {
    expect(() => new ClusterPool({ redis: "http://x", module: "m" })).toThrow(/redis:\/\//);
    expect(() => new ClusterPool({ redis: redis.url } as never)).toThrow(/needs a module/);
    expect(() => new ClusterPool({ redis: redis.url, module: "m", size: 0 })).toThrow(/positive integer/);
    expect(() => new ClusterPool({ redis: redis.url, module: "m", colour: 1 } as never)).toThrow(/Unknown ClusterPool options key "colour"/);
  });

  test("a bad maxQueue is refused as a local Pool refuses it, and a good one resolves the same way", async () => {
    const thrown = (make: () => unknown): Error | undefined => {
      try {
        make();
      } catch (error) {
        return error as Error;
      }
      return undefined;
    };
    for (const bad of [-1, 1.5, Number.NaN, "lots", null, "AUTO"]) {
      const local = thrown(() => new Pool({ adapter, size: 2, maxQueue: bad as never }));
      const cluster = thrown(() => new ClusterPool({ redis: redis.url, module: "m", size: 2, maxQueue: bad as never }));
      expect(local?.name).toBe("InvalidArgumentError");
      expect(cluster?.name).toBe("InvalidArgumentError");
      expect(cluster?.message).toBe(local?.message);
    }
    for (const [maxQueue, size, resolved] of [[undefined, 2, Infinity], ["auto", 2, 16], ["auto", 5, 25], [0, 2, 0], [Infinity, 2, Infinity]] as const) {
      await using local = new Pool({ adapter, size, ...(maxQueue === undefined ? {} : { maxQueue }) });
      await using cluster = new ClusterPool({ redis: redis.url, module: "m", queue: "weft-maxqueue-options", size, ...(maxQueue === undefined ? {} : { maxQueue }) });
      expect(local.maxQueue).toBe(resolved);
      expect(cluster.maxQueue).toBe(resolved);
    }
  });
});

describe("cancellation, timeouts, crashes", () => {
  test("a queued job that is cancelled never runs", async () => {
    await using pool = nodeTasks();
    // Six slots (three nodes × two): fill them, so the seventh job waits in the queue.
    const blockers = Array.from({ length: 6 }, (_, i) => pool.apply("slowMark", [4000, marks, `blocker-${i}`]));
    await eventually(() => pool.stats.running === 6, "the six slots are busy", 30_000);
    const controller = new AbortController();
    const queued = pool.apply("slowMark", [10, marks, "cancelled-while-queued"], { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(AbortError);
    await Promise.all(blockers);
    // The slots are free again; give the queue time to hand out anything left in it.
    expect(await pool.apply("slowMark", [10, marks, "after"])).toMatchObject({ id: "after" });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(runs()).not.toMatch(/cancelled-while-queued/);
    expect(pool.stats.cancelled).toBe(1);
  });

  test("a running job that is cancelled sees its AbortSignal on its node", async () => {
    await using pool = nodeTasks();
    const future = pool.submit("waitForAbortMark", [marks, "cancel-running"]);
    await eventually(() => runs().includes("start cancel-running"), "the task started on a node", 30_000);
    expect(future.cancel()).toBe(true);
    await expect(future).rejects.toBeInstanceOf(AbortError);
    await eventually(() => existsSync(join(marks, "aborted-cancel-running")), "the node's task saw its signal fire", 30_000);
    expect(readFileSync(join(marks, "aborted-cancel-running"), "utf8")).toMatch(/^AbortError on [abc]$/);
  });

  test("the run timeout applies, counted on the node", async () => {
    await using pool = fixtures();
    const error = await rejection(pool.apply("sleepThen", [10_000, "late"], { timeout: 300 }));
    expect(error.name).toBe("TimeoutError");
    expect(await pool.apply("add", [1, 1], { timeout: 5000 })).toBe(2);
  });

  test("a task that crashes its worker process rejects only its own job", async () => {
    await using pool = nodeTasks();
    const others = Array.from({ length: 5 }, (_, i) => pool.apply("slowMark", [400, marks, `beside-crash-${i}`]));
    const crashed = await rejection(pool.apply("crash", [7]));
    expect(crashed.name).toBe("WorkerExitError");
    expect(crashed.exitCode).toBe(7);
    expect((await Promise.all(others)).map((r) => r.id)).toEqual(others.map((_, i) => `beside-crash-${i}`));
    expect(await pool.apply("nodeName", [])).toMatch(/^[abc]$/);
  });
});

describe("closing", () => {
  test("close() waits for submitted tasks, then refuses new ones", async () => {
    const pool = fixtures();
    const running = pool.apply("sleepThen", [300, "finished"]);
    const closing = pool.close();
    await expect(pool.apply("add", [1, 2])).rejects.toBeInstanceOf(PoolClosedError);
    expect(await running).toBe("finished");
    await closing;
    expect(pool.closed).toBe(true);
    await expect(pool.ready()).rejects.toBeInstanceOf(PoolClosedError);
  });

  test("terminate() rejects every unsettled task with PoolClosedError", async () => {
    const pool = nodeTasks();
    const pending = Array.from({ length: 3 }, (_, i) => pool.apply("slowMark", [2000, marks, `terminated-${i}`]));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await pool.terminate();
    for (const task of pending) await expect(task).rejects.toBeInstanceOf(PoolClosedError);
  });
});
