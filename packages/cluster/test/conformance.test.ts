// The shared conformance cases, as a kind of their own: "cluster" (a ClusterPool over three worker
// nodes). The harness builds its cases on an Adapter that starts local workers, which a remote
// pool is not; so every shared case name is listed here with either its cluster version (same
// fixture module, same assertion helpers) or the capability that makes it not hold, printed as
// the reason of a declared skip. Results go to results/conformance-cluster.json (column node/cluster).
import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, test } from "vitest";
import { AbortError } from "@weft/core";
import { ResultLog, allCases, deepEqual, equal, eventually, ok, rejects } from "@weft/conformance";
import { ClusterPool, type ClusterPoolOptions } from "../src/index.js";
import { startRedisServer, type RedisServer } from "../src/testing/redis-server.js";
import { startNode, stopNodes, type NodeProcess } from "./support/cluster.js";

type Fixtures = typeof import("@weft/conformance/fixtures/tasks.js");
const QUEUE = "weft-conformance";
const log = new ResultLog("node");
let redis: RedisServer;
let nodes: NodeProcess[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  nodes = await Promise.all(["a", "b", "c"].map((name) => startNode({ redis: redis.url, name, queue: QUEUE, kind: "process", size: 2 })));
});

afterAll(async () => {
  await stopNodes(nodes);
  await redis?.stop();
  const dir = new URL("../../../results/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL("conformance-cluster.json", dir), JSON.stringify(log.toJSON(), null, 2));
});

const pool = (options: Partial<ClusterPoolOptions> = {}) => new ClusterPool<Fixtures>({ redis: redis.url, module: "fixtures", queue: QUEUE, ...options });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a cluster pool does not have, and why: the capabilities it declares absent. */
const CANNOT = {
  lifecycle: "Thread and Process are local objects; a cluster offers a pool only",
  inline: "no code travels over the queue: inline functions are refused with InlineTaskError (tested in cluster.test.ts)",
  sharedMemory: "no memory is shared between machines (SharedArrayBuffer and shared primitives are refused)",
  transfer: "nothing moves between machines; ArrayBuffers are copied",
  channels: "Queue and Pipe connect a caller with its own workers; they do not cross machines",
  asyncio: "asyncio runs on the caller's event loop; nothing of it is remote",
  nodeOptions: "this is an option of each node's local pool (set where the node starts), not of the client",
  nodeProcesses: "the exit codes and pids of a node's processes stay on that node; node failures are in failover.test.ts",
  fastLane: "spinWait is the local fast lane through shared memory; there is none across machines",
  manager: "a Manager's objects live with the side that created it; its proxies reach that side's own workers, not other machines",
  progress: "progress values travel over a local worker's channel; cluster jobs do not carry them yet (BullMQ's updateProgress is not wired)",
} as const;

const skips: Record<string, string> = {};
for (const definition of allCases) {
  const name = definition.name;
  if (name.startsWith("lifecycle:")) skips[name] = CANNOT.lifecycle;
  else if (/race:|threading:|SharedArrayBuffer|shared memory|shared buffer/.test(name)) skips[name] = CANNOT.sharedMemory;
  else if (name.startsWith("channels:")) skips[name] = CANNOT.channels;
  else if (name.startsWith("asyncio")) skips[name] = CANNOT.asyncio;
  else if (/transferred ArrayBuffer/.test(name)) skips[name] = CANNOT.transfer;
  else if (/spinWait/.test(name)) skips[name] = CANNOT.fastLane;
  else if (/maxQueue|maxTasksPerWorker|idleTimeout|memory limit|ignores its abort|fails to load/.test(name)) skips[name] = CANNOT.nodeOptions;
  else if (/killed from outside|no worker process is left|globals are not the caller's|many crashes in a row/.test(name)) skips[name] = CANNOT.nodeProcesses;
  else if (/methods, bound and native functions/.test(name)) skips[name] = CANNOT.inline;
  else if (name.startsWith("manager:")) skips[name] = CANNOT.manager;
  else if (name.startsWith("progress:")) skips[name] = CANNOT.progress;
  else if (name.startsWith("worker hooks:")) skips[name] = CANNOT.nodeOptions;
  else if (/portable exit\(code\)/.test(name)) skips[name] = CANNOT.nodeProcesses;
  else if (/parallelism:/.test(name)) skips[name] = "measured across nodes (two single-worker nodes against one) in speedup.test.ts";
  else if (/soak \(smoke\)/.test(name)) skips[name] = "20,000 jobs through Redis take minutes on a shared CI machine; the bench measures throughput";
}

/** The cluster versions of the shared cases that hold for a remote pool. */
const cases: Record<string, () => Promise<void>> = {
  "pool: apply by name and with an inline function": async () => {
    await using p = pool();
    equal(await p.apply("add", [2, 3]), 5, "apply by name");
    await rejects(p.apply(((s: string) => s) as never, ["weft"] as never), "InlineTaskError");
    equal(await p.apply("hasSignal", []), true, "a task sees its AbortSignal as this.signal");
  },
  "pool: submit returns a future that reports its state": async () => {
    await using p = pool();
    const future = p.submit("sleepThen", [50, "done"]);
    equal(future.done(), false, "not done at once");
    equal(await future, "done", "awaited value");
    equal(future.state, "fulfilled");
    equal(future.result(), "done", "result()");
    equal(future.cancel(), false, "cancelling a settled task does nothing");
  },
  "pool: map keeps input order, with and without chunksize": async () => {
    await using p = pool();
    const items = Array.from({ length: 103 }, (_, i) => i);
    const expected = items.map((i) => i * 2);
    deepEqual(await p.map("double", items), expected, "default chunksize");
    deepEqual(await p.map("double", items, { chunksize: 1 }), expected, "chunksize 1");
    deepEqual(await p.map("double", items, { chunksize: 50 }), expected, "chunksize 50");
    deepEqual(await p.map("double", []), [], "empty input");
  },
  "pool: map rejects with the first failing item's error": async () => {
    await using p = pool();
    await rejects(p.map("fail", ["ok", "type", "cause"], { chunksize: 1 }), "Error", /plain failure ok/);
  },
  "pool: starmap spreads each item as arguments": async () => {
    await using p = pool();
    deepEqual(await p.starmap("add", [[1, 2], [3, 4], [5, 6]]), [3, 7, 11]);
  },
  "pool: imap yields in order from an async source with a bounded buffer": async () => {
    await using p = pool();
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < 10; i++) {
        pulled++;
        yield i;
      }
    }
    const seen: number[] = [];
    for await (const value of p.imap("double", source(), { buffer: 2 })) {
      ok(pulled <= seen.length + 3, `imap pulled ${pulled} items with ${seen.length} consumed: the buffer is not bounded`);
      seen.push(value);
    }
    deepEqual(seen, Array.from({ length: 10 }, (_, i) => i * 2));
  },
  "pool: imapUnordered yields every result, fastest first": async () => {
    await using p = pool();
    const seen: string[] = [];
    for await (const value of p.imapUnordered("echo", ["a", "b", "c"])) seen.push(value as string);
    deepEqual(seen.sort(), ["a", "b", "c"]);
  },
  "pool: leaving imap early cancels what it had in flight": async () => {
    await using p = pool();
    const cancelled: string[] = [];
    p.addEventListener("cancelled", (event) => cancelled.push((event as CustomEvent).detail.id));
    for await (const value of p.imap("double", [1, 2, 3, 4, 5, 6], { buffer: 4 })) {
      equal(value, 2);
      break;
    }
    ok(cancelled.length > 0, "the chunks in flight were cancelled");
  },
  "pool: 2,000 tiny tasks all settle with their own results": async () => {
    await using p = pool();
    const results = await Promise.all(Array.from({ length: 2000 }, (_, i) => p.apply("add", [i, 1])));
    ok(results.every((r, i) => r === i + 1), "every task has its own result");
  },
  "pool: stats and events report the work": async () => {
    await using p = pool();
    const events: string[] = [];
    for (const type of ["queued", "running", "completed", "failed"] as const) p.addEventListener(type, () => events.push(type));
    await p.apply("sleepThen", [50, 1]);
    await p.apply("fail", ["x"]).catch(() => undefined);
    await eventually(() => events.includes("failed"), "the failed event", 30_000);
    equal(p.stats.completed, 1, "completed");
    equal(p.stats.failed, 1, "failed");
    ok(events.includes("queued") && events.includes("completed"), `events seen: ${events.join(", ")}`);
  },
  "values: structured-clone types survive the round trip": async () => {
    await using p = pool();
    const value = { map: new Map([[1, "a"]]), set: new Set([1n]), date: new Date(5), bytes: new Uint8Array([1, 2]), nested: [{ x: undefined }], re: /x/g };
    deepEqual(await p.apply("echo", [value]), value, "round trip");
  },
  "errors: name, message, cause chain, AggregateError members and own properties cross": async () => {
    await using p = pool();
    const typeError = await rejects(p.apply("fail", ["type"]), "TypeError");
    ok(typeError instanceof TypeError, "a TypeError is a TypeError");
    const caused = await rejects(p.apply("fail", ["cause"]), "Error");
    equal((caused.cause as Error).name, "RangeError", "cause");
    const aggregate = await rejects(p.apply("fail", ["aggregate"]), "AggregateError");
    deepEqual((aggregate as AggregateError).errors.map((e: Error) => e.message), ["first", "second"]);
    const props = await rejects(p.apply("fail", ["props"]), "Error");
    equal((props as Error & { code: string }).code, "E_WEFT_TEST");
  },
  "errors: the worker's stack is joined to the caller's": async () => {
    await using p = pool();
    const error = await rejects(p.apply("fail", ["type"]), "TypeError");
    ok(/tasks\.js/.test(error.stack ?? "") && /awaited in the caller/.test(error.stack ?? ""), `stack: ${error.stack}`);
  },
  "errors: an async task's rejection reaches the caller": async () => {
    await using p = pool();
    await rejects(p.apply("failLater", [30]), "Error", /failed after waiting/);
  },
  "faults: a task that throws rejects alone; the same worker runs the next": async () => {
    await using p = pool();
    await rejects(p.apply("fail", ["type"]), "TypeError");
    equal(await p.apply("add", [1, 1]), 2);
  },
  "faults: an uncaught error in a timer kills the worker; only its task rejects, queued tasks run": async () => {
    await using p = pool();
    const others = Array.from({ length: 4 }, (_, i) => p.apply("sleepThen", [200, i]));
    await rejects(p.apply("crashInTimer", []), "WorkerExitError");
    deepEqual(await Promise.all(others), [0, 1, 2, 3]);
  },
  "faults: a task that calls the runtime's exit rejects with WorkerExitError; the pool keeps serving": async () => {
    await using p = pool();
    const error = await rejects(p.apply("exitWorker", [3]), "WorkerExitError");
    equal((error as Error & { exitCode: number }).exitCode, 3, "the exit code crosses with the error");
    equal(await p.apply("add", [2, 2]), 4);
  },
  "abort: a queued task that is aborted never runs": async () => {
    await using p = pool();
    const controller = new AbortController();
    controller.abort();
    await rejects(p.apply("add", [1, 2], { signal: controller.signal }), "AbortError");
    const later = new AbortController();
    // Six slots (three nodes × two): fill them for long enough that the seventh job must wait.
    const blockers = Array.from({ length: 6 }, () => p.submit("sleepThen", [30_000, 0]));
    await eventually(() => p.stats.running === 6, "every slot is busy", 30_000);
    const queued = p.apply("recordCall", ["aborted"], { signal: later.signal });
    await sleep(50);
    later.abort();
    await rejects(queued, "AbortError");
    for (const blocker of blockers) blocker.cancel();
    await Promise.allSettled(blockers);
    const calls = await Promise.all(Array.from({ length: 12 }, () => p.apply("calls", [])));
    ok(calls.every((list) => !list.includes("aborted")), "the aborted task never ran on any node");
  },
  "abort: a running task sees its signal, cleans up, and its worker stays": async () => {
    await using p = pool();
    const future = p.submit("waitForAbort", []);
    await eventually(() => future.state === "running", "the task runs", 30_000);
    await sleep(100);
    future.cancel();
    await rejects(future, "AbortError");
    equal(await p.apply("add", [1, 2]), 3);
  },
  "abort: an already-aborted signal rejects at once; aborting a settled task changes nothing": async () => {
    await using p = pool();
    await rejects(p.apply("add", [1, 2], { signal: AbortSignal.abort() }), "AbortError");
    const controller = new AbortController();
    equal(await p.apply("add", [1, 2], { signal: controller.signal }), 3);
    const before = { ...p.stats };
    controller.abort();
    deepEqual(p.stats, before, "aborting a settled task changes nothing");
  },
  "abort: AbortSignal.timeout() rejects with TimeoutError": async () => {
    await using p = pool();
    await rejects(p.apply("sleepThen", [5000, 1], { signal: AbortSignal.timeout(200) }), "TimeoutError");
  },
  "timeout: a task running past its timeout rejects with TimeoutError; the pool recovers": async () => {
    await using p = pool();
    await rejects(p.apply("sleepThen", [5000, 1], { timeout: 200 }), "TimeoutError");
    equal(await p.apply("add", [1, 2]), 3);
  },
  "timeout: time spent queued does not count against the run timeout": async () => {
    await using p = pool();
    const blockers = Array.from({ length: 6 }, () => p.apply("sleepThen", [600, 0]));
    const queued = p.apply("sleepThen", [100, "ran"], { timeout: 400 });
    equal(await queued, "ran", "queued for 600 ms, ran for 100 ms, within its 400 ms run timeout");
    await Promise.all(blockers);
  },
  "timeout: the pool's taskTimeout applies to every task": async () => {
    await using p = pool({ taskTimeout: 200 });
    await rejects(p.apply("sleepThen", [5000, 1]), "TimeoutError");
  },
  "close: drains queued and running tasks, then refuses new ones": async () => {
    const p = pool();
    const running = p.apply("sleepThen", [200, "done"]);
    const closing = p.close();
    await rejects(p.apply("add", [1, 2]), "PoolClosedError");
    equal(await running, "done");
    await closing;
  },
  "terminate: rejects queued and running tasks with PoolClosedError": async () => {
    const p = pool();
    const tasks = Array.from({ length: 3 }, () => p.apply("sleepThen", [3000, 0]));
    await sleep(100);
    await p.terminate();
    for (const task of tasks) await rejects(task, "PoolClosedError");
  },
  "bad input: pool size 0, negative, NaN and unknown options are refused": async () => {
    for (const size of [0, -1, NaN]) {
      let name = "";
      try {
        pool({ size });
      } catch (error) {
        name = (error as Error).name;
      }
      equal(name, "InvalidArgumentError", `size ${size}`);
    }
  },
  "bad input: arguments that cannot be cloned fail before queueing, naming the argument": async () => {
    await using p = pool();
    await rejects(p.apply("echo", [{ fn: () => 1 }] as never), "DataCloneError", /args\[0\]\.fn/);
  },
  "bad input: an unknown task name rejects with the module's exports listed": async () => {
    await using p = pool();
    await rejects(p.apply("nope" as never, [] as never), "TaskReferenceError");
  },
  "bad input: bad task options and a closed pool are reported clearly": async () => {
    const p = pool();
    await rejects(p.apply("add", [1, 2], { timeout: -1 }), "InvalidArgumentError");
    await rejects(p.apply("add", [1, 2], { colour: 1 } as never), "InvalidArgumentError");
    await p.close();
    await rejects(p.apply("add", [1, 2]), "PoolClosedError");
  },
  "asyncio bridge: cancelling a TaskGroup cancels its pool tasks (queued never run, running see their signal)": async () => {
    await using p = pool();
    const future = p.submit("waitForAbort", []);
    future.cancel(new AbortError("group cancelled"));
    await rejects(future, "AbortError");
  },
};

for (const definition of allCases) {
  const title = `[node/cluster] ${definition.name}`;
  const body = cases[definition.name];
  const reason = body ? undefined : (skips[definition.name] ?? "not ported to the cluster pool");
  test(title, async (context) => {
    const started = performance.now();
    const record = (status: "pass" | "fail" | "skip", why?: string) =>
      log.add({ case: definition.name, kind: "cluster", status, ...(why ? { reason: why } : {}), ms: Math.round(performance.now() - started), measures: {} });
    if (!body) {
      record("skip", reason);
      console.log(`SKIP ${title}: ${reason}`);
      context.skip(reason);
      return;
    }
    try {
      await body();
      record("pass");
    } catch (error) {
      record("fail", error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      throw error;
    }
  }, 60_000);
}
