// CPU-bound work on two single-worker nodes against one, measured in the same run, alternating.
import { availableParallelism, loadavg } from "node:os";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ClusterPool } from "../src/index.js";
import { startRedisServer, type RedisServer } from "../src/testing/redis-server.js";
import { startNode, stopNodes, type NodeProcess } from "./support/cluster.js";

type NodeTasks = typeof import("./fixtures/node-tasks.mjs");

/** The target; the assertion is the lenient bound a loaded CI machine still meets (as the conformance speedup case). */
const TARGET = 1.7;
const LENIENT = 1.3;

let redis: RedisServer;
let nodes: NodeProcess[] = [];
const cores = availableParallelism();

beforeAll(async () => {
  if (cores < 2) return;
  redis = await startRedisServer();
  nodes = await Promise.all([
    startNode({ redis: redis.url, name: "solo", queue: "weft-speedup-one", size: 1 }),
    startNode({ redis: redis.url, name: "pair-1", queue: "weft-speedup-two", size: 1 }),
    startNode({ redis: redis.url, name: "pair-2", queue: "weft-speedup-two", size: 1 }),
  ]);
});

afterAll(async () => {
  await stopNodes(nodes);
  await redis?.stop();
});

test("two single-worker nodes run CPU-bound jobs faster than one", async (context) => {
  if (cores < 2) {
    console.log(`SKIP speedup: only ${cores} CPU core, so two nodes cannot run in parallel`);
    context.skip();
  }
  await using one = new ClusterPool<NodeTasks>({ redis: redis.url, module: "node", queue: "weft-speedup-one" });
  await using two = new ClusterPool<NodeTasks>({ redis: redis.url, module: "node", queue: "weft-speedup-two" });
  // Size each job to about 500 ms on this machine, so queue round trips (Redis, BullMQ) do not dominate.
  await one.apply("countPrimes", [200_000]);
  const probeStart = performance.now();
  await one.apply("countPrimes", [200_000]);
  const probeMs = Math.max(1, performance.now() - probeStart);
  const n = Math.round(200_000 * Math.min(40, Math.max(1, 500 / probeMs)) ** (2 / 3));
  const jobs = Array.from({ length: 8 }, () => n);
  const time = async (pool: ClusterPool<NodeTasks>) => {
    const start = performance.now();
    await pool.map("countPrimes", jobs, { chunksize: 1 });
    return performance.now() - start;
  };
  await time(one);
  await time(two);
  let best = 0;
  for (let attempt = 0; attempt < 6 && best < TARGET; attempt++) {
    const oneMs = await time(one);
    const twoMs = await time(two);
    best = Math.max(best, oneMs / twoMs);
    console.log(`speedup attempt ${attempt + 1}: one node ${oneMs.toFixed(0)} ms, two nodes ${twoMs.toFixed(0)} ms, ${(oneMs / twoMs).toFixed(2)}×`);
  }
  console.log(`two single-worker nodes vs one: best ${best.toFixed(2)}× (target ${TARGET}×, asserted ≥ ${LENIENT}×)`);
  // Other programs busy on every core leave the second node no core of its own: then the run
  // measured the machine, not the cluster. Say so instead of failing (CI runs alone).
  const load = loadavg()[0]!;
  if (best < LENIENT && load > cores * 1.5) {
    console.log(`SKIP speedup: the machine is loaded by other programs (load average ${load.toFixed(1)} on ${cores} cores), so no second core was free; best ${best.toFixed(2)}×`);
    context.skip();
  }
  expect(best).toBeGreaterThanOrEqual(LENIENT);
}, 180_000);
