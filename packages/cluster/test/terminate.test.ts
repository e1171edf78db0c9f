// terminate() of 50,000 pending jobs: it returns in a fraction of the time their submission took,
// every task rejects with PoolClosedError, none of them runs, and Redis holds what it held before
// them (keys and memory), with no node needed to drain them. Real redis-server, real node (the CLI).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Redis } from "ioredis";
import { eventually } from "@weft/conformance";
import { ClusterPool } from "../src/index.js";
import { startRedisServer, type RedisServer } from "../src/testing/redis-server.js";
import { processScope, startNode, stopNodes, within } from "./support/cluster.js";

type NodeTasks = typeof import("./fixtures/node-tasks.mjs");

const JOBS = 50_000;
const QUEUE = "weft-terminate";
const scope = processScope("terminate");
let redis: RedisServer;
let raw: Redis;

beforeAll(async () => {
  redis = await startRedisServer();
  raw = new Redis(redis.url);
});

afterAll(async () => {
  raw?.disconnect();
  await redis?.stop();
});

const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await raw.info("memory"))![1]);
const starts = () => {
  const log = join(scope.scratch, "runs.log");
  return existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((line) => line.startsWith("start terminated-")).length : 0;
};

test(`terminate() of ${JOBS.toLocaleString()} pending jobs returns faster than their submission, runs none of them, and leaves Redis as it was`, { timeout: 600_000 }, async () => {
  // A first round creates BullMQ's per-queue keys and fills its events stream to its cap (about
  // 10,000 entries): what stays after it is the baseline.
  scope.nodes = [await startNode({ redis: redis.url, name: "a", size: 2, queue: QUEUE })];
  {
    await using warm = new ClusterPool<NodeTasks>({ redis: redis.url, module: "node", queue: QUEUE });
    await warm.map("noop", Array.from({ length: 4000 }, (_, i) => i), { chunksize: 1 });
  }
  // No node while the jobs wait: every one of them is queued when terminate() comes.
  await stopNodes(scope.nodes);
  scope.nodes = [];
  await eventually(async () => (await raw.llen(`bull:${QUEUE}:wait`)) === 0 && (await raw.llen(`bull:${QUEUE}:active`)) === 0, "the warm-up jobs are gone", 30_000);
  const baseKeys = await raw.dbsize();
  const baseKeyNames = new Set(await raw.keys("*"));
  const baseMemory = await usedMemory();

  const pool = new ClusterPool<NodeTasks>({ redis: redis.url, module: "node", queue: QUEUE });
  const submitted = performance.now();
  const futures = Array.from({ length: JOBS }, (_, i) => pool.apply("slowMark", [10, scope.scratch, `terminated-${i}`]));
  await eventually(async () => (await raw.llen(`bull:${QUEUE}:wait`)) === JOBS, "every job is in the queue", 300_000);
  const submitMs = performance.now() - submitted;

  const started = performance.now();
  await within(pool.terminate(), 120_000, "terminate");
  const terminateMs = performance.now() - started;
  const keysAfter = await raw.dbsize();
  console.log(`${JOBS.toLocaleString()} jobs: submitted in ${(submitMs / 1000).toFixed(1)} s, terminate() returned in ${terminateMs.toFixed(0)} ms; Redis keys ${baseKeys} before, ${keysAfter} after`);
  // A relative bound that load does not break: one removal per job, each scanning the wait list,
  // took 37–51 s for 50,000 jobs submitted in 7–8 s (5–7× the submission); the bulk removal takes
  // 0.1–1× of it (2× once on a loaded run where the submission itself was quick).
  expect(terminateMs).toBeLessThan(submitMs * 3);
  const outcomes = await Promise.allSettled(futures);
  expect(outcomes.every((outcome) => outcome.status === "rejected" && outcome.reason.name === "PoolClosedError")).toBe(true);

  // Nothing is left to drain: no job, no client key, and the memory is back.
  expect(await raw.llen(`bull:${QUEUE}:wait`)).toBe(0);
  // BullMQ's own per-queue bookkeeping (the marker it sets while jobs wait, meta, id, events,
  // the stalled-check lock) comes and goes with its own timing; nothing of a job or a client may stay.
  const queueKeys = new RegExp(`^bull:${QUEUE}:(marker|meta|id|events|stalled-check)$`);
  const extra = (await raw.keys("*")).filter((key) => !baseKeyNames.has(key) && !queueKeys.test(key));
  expect(extra, `keys left after terminate(): ${extra.join(", ")} (${keysAfter} keys, ${baseKeys} before)`).toEqual([]);
  expect(await usedMemory() - baseMemory).toBeLessThan(1024 * 1024);
  // A node started now finds nothing of them to run.
  scope.nodes = [await startNode({ redis: redis.url, name: "b", size: 2, queue: QUEUE })];
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(starts()).toBe(0);
});
