// Finished jobs leave Redis once their outcome reached the client: after 10,000 jobs, Redis holds
// what it held before them. keepFinishedFor keeps them, for dashboards. Real redis-server, a real
// worker node (the CLI).
import { afterAll, beforeAll, expect, test } from "vitest";
import { Redis } from "ioredis";
import { eventually } from "@weft/conformance";
import { ClusterPool } from "../src/index.js";
import { startRedisServer, type RedisServer } from "../src/testing/redis-server.js";
import { startNode, stopNodes, type NodeProcess } from "./support/cluster.js";

type NodeTasks = typeof import("./fixtures/node-tasks.mjs");

const QUEUE = "weft-finished";
const JOBS = 10_000;
let redis: RedisServer;
let raw: Redis;
let node: NodeProcess;

beforeAll(async () => {
  redis = await startRedisServer();
  raw = new Redis(redis.url);
  node = await startNode({ redis: redis.url, name: "finished", size: 4, queue: QUEUE });
});

afterAll(async () => {
  raw?.disconnect();
  if (node) await stopNodes([node]);
  await redis?.stop();
});

const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await raw.info("memory"))![1]);
const items = (n: number) => Array.from({ length: n }, (_, i) => i);

test("after 10,000 finished jobs (completed and failed), Redis returns to the keys and memory it had before them", { timeout: 600_000 }, async () => {
  await using pool = new ClusterPool<NodeTasks>({ redis: redis.url, module: "node", queue: QUEUE });
  // A first round fills the queue's events stream to its cap (BullMQ trims it at about 10,000
  // entries) and creates BullMQ's per-queue keys: what stays after it is the baseline.
  expect(await pool.map("noop", items(JOBS), { chunksize: 1 })).toHaveLength(JOBS);
  await pool.apply("repeat", [null as never, 1]).catch(() => undefined);
  const settledKeys = async () => {
    const now = await raw.dbsize();
    await new Promise((resolve) => setTimeout(resolve, 200));
    return now === (await raw.dbsize()) ? now : -1;
  };
  await eventually(async () => (await settledKeys()) > 0, "Redis keys stopped changing", 30_000);
  const baseKeys = await raw.dbsize();
  const baseMemory = await usedMemory();

  const results = await pool.map("noop", items(JOBS), { chunksize: 1 });
  expect(results).toHaveLength(JOBS);
  const failures = await Promise.allSettled(items(20).map(() => pool.apply("repeat", [null as never, 1])));
  expect(failures.every((outcome) => outcome.status === "rejected")).toBe(true);

  // Kept, these jobs would be 10,020 more keys and about 13 MB (~1.3 kB each); removed, nothing
  // per job remains. The memory bound (1 MiB, under a tenth of that) leaves room for the events
  // stream's approximate trimming and the allocator's fragmentation.
  await eventually(async () => (await raw.dbsize()) <= baseKeys, "the finished jobs are removed", 30_000);
  expect(await usedMemory() - baseMemory).toBeLessThan(1024 * 1024);
  expect(await raw.zcard(`bull:${QUEUE}:completed`)).toBe(0);
  expect(await raw.zcard(`bull:${QUEUE}:failed`)).toBe(0);
});

test("keepFinishedFor keeps finished jobs in Redis, for dashboards", async () => {
  await using pool = new ClusterPool<NodeTasks>({ redis: redis.url, module: "node", queue: QUEUE, keepFinishedFor: 3600 });
  const before = await raw.zcard(`bull:${QUEUE}:completed`);
  await pool.map("noop", items(50), { chunksize: 1 });
  await pool.close();
  expect(await raw.zcard(`bull:${QUEUE}:completed`)).toBe(before + 50);
});
