// Results go to the client that asked, on its own stream: a second client reads none of another's
// results; a client that falls behind finds its results waiting; a client that dies leaves its
// queued jobs to be dropped once its lease lapses; terminate() withdraws every job in one step
// and leaves nothing in Redis. Real redis-server, real worker nodes (the CLI), real child clients.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { Redis } from "ioredis";
import { eventually } from "@weft/conformance";
import { ClusterPool } from "../src/index.js";
import { startRedisServer, type RedisServer } from "../src/testing/redis-server.js";
import { packageDir, startNode, stopNodes, within, type NodeProcess } from "./support/cluster.js";

type NodeTasks = typeof import("./fixtures/node-tasks.mjs");

let redis: RedisServer;
let raw: Redis;
let marks: string;
let nodes: NodeProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  raw = new Redis(redis.url);
  marks = mkdtempSync(join(tmpdir(), "weft-per-client-"));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await stopNodes(nodes);
  nodes = [];
});

afterAll(async () => {
  raw?.disconnect();
  await redis?.stop();
  rmSync(marks, { recursive: true, force: true });
});

const runs = () => (existsSync(join(marks, "runs.log")) ? readFileSync(join(marks, "runs.log"), "utf8") : "");
const startsOf = (prefix: string) => runs().split("\n").filter((line) => line.startsWith(`start ${prefix}`)).length;

/** A TCP proxy to Redis that counts the bytes Redis sends through it. */
async function countingProxy(port: number): Promise<{ url: string; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port });
    upstream.on("data", (chunk: Buffer) => (received += chunk.length));
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return { url: `redis://127.0.0.1:${address.port}`, received: () => received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test("a second client reads none of another client's results: 1,000 results of 10 kB cost it nothing", async () => {
  const queue = "weft-per-client-idle";
  nodes = [await startNode({ redis: redis.url, name: "a", size: 4, queue })];
  const proxy = await countingProxy(redis.port);
  cleanups.push(() => proxy.close());
  const idle = new ClusterPool<NodeTasks>({ redis: proxy.url, module: "node", queue });
  cleanups.push(() => idle.terminate());
  await idle.ready();
  const busy = new ClusterPool<NodeTasks>({ redis: redis.url, module: "node", queue });
  cleanups.push(() => busy.terminate());
  const before = proxy.received();
  const got = await Promise.all(Array.from({ length: 1000 }, (_, i) => busy.apply("repeat", [String(i % 10), 10_000])));
  expect(got.every((text, i) => text.length === 10_000 && text[0] === String(i % 10))).toBe(true);
  const read = proxy.received() - before;
  console.log(`an idle client read ${read} bytes while another received ${got.length} results of 10 kB (${got.length * 10_000} bytes)`);
  // Its heartbeats (a lease renewal a second) are all it reads; reading the queue's shared
  // events would be over 10 MB, the results themselves.
  expect(read).toBeLessThan(100_000);
}, 120_000);

test("a client stopped while its 3,000 jobs finish finds every result waiting on its own stream when it resumes", async () => {
  const queue = "weft-per-client-behind";
  // The reconcile interval is a minute: only the client's own stream can settle the jobs in time.
  const client = spawn(process.execPath, [join(packageDir, "test/clients/slow-client.mjs"), redis.url, queue, "3000", "60000"], { stdio: ["ignore", "pipe", "pipe"] });
  cleanups.push(async () => client.kill("SIGKILL"));
  let output = "";
  client.stdout!.on("data", (chunk) => (output += chunk));
  client.stderr!.on("data", (chunk) => (output += chunk));
  await eventually(() => output.includes("SUBMITTED"), "the client submitted its jobs", 30_000);
  await eventually(async () => (await raw.llen(`bull:${queue}:wait`)) === 3000, "every job is in the queue", 60_000);
  client.kill("SIGSTOP");
  try {
    nodes = await Promise.all(["a", "b"].map((name) => startNode({ redis: redis.url, name, queue, size: 4 })));
    await eventually(async () => (await raw.llen(`bull:${queue}:wait`)) + (await raw.llen(`bull:${queue}:active`)) === 0, "the nodes finished every job", 120_000);
  } finally {
    client.kill("SIGCONT");
  }
  await eventually(() => output.includes("SETTLED"), "the resumed client settled every job", 30_000);
  expect(output).toContain("SETTLED 3000 wrong=0");
}, 240_000);

test("a client killed mid-map: once its lease lapses, nodes drop its queued jobs, and a new client is not kept waiting behind them", async () => {
  const queue = "weft-per-client-dead";
  nodes = [await startNode({ redis: redis.url, name: "a", size: 1, queue })];
  const client = spawn(process.execPath, [join(packageDir, "test/clients/doomed-client.mjs"), redis.url, queue, marks, "40", "2000"], { stdio: ["ignore", "pipe", "pipe"] });
  cleanups.push(async () => client.kill("SIGKILL"));
  await eventually(() => startsOf("doomed-") >= 2, "the dead client's jobs started", 30_000);
  client.kill("SIGKILL");
  const atDeath = startsOf("doomed-");
  // A new client's job runs once the node has dropped the dead client's queued jobs, not after
  // all forty (twenty seconds of them).
  await using pool = new ClusterPool<NodeTasks>({ redis: redis.url, module: "node", queue });
  expect(await within(pool.apply("noop", []), 60_000, "the new client's job")).toBe(0);
  await eventually(async () => (await raw.llen(`bull:${queue}:wait`)) === 0, "the dead client's jobs left the queue", 30_000);
  const ran = startsOf("doomed-");
  console.log(`client killed after ${atDeath} of 40 jobs had started (500 ms each, lease 2 s): ${ran} ran in all, ${40 - ran} dropped`);
  // Those that started while its lease was still valid (about four) ran; the rest were dropped.
  expect(ran).toBeLessThan(20);
}, 120_000);

test("terminate() of 5,000 pending jobs withdraws them in one step: none runs, and Redis holds nothing of them afterwards", async () => {
  const queue = "weft-per-client-terminate";
  const keysBefore = await raw.dbsize();
  const pool = new ClusterPool<NodeTasks>({ redis: redis.url, module: "node", queue });
  const futures = Array.from({ length: 5000 }, (_, i) => pool.apply("slowMark", [10, marks, `terminated-${i}`]));
  await eventually(async () => (await raw.llen(`bull:${queue}:wait`)) === 5000, "every job is in the queue", 60_000);
  const start = performance.now();
  await within(pool.terminate(), 30_000, "terminate");
  console.log(`terminate() of 5,000 pending jobs returned in ${(performance.now() - start).toFixed(0)} ms`);
  const outcomes = await Promise.allSettled(futures);
  expect(outcomes.every((outcome) => outcome.status === "rejected" && outcome.reason.name === "PoolClosedError")).toBe(true);
  nodes = [await startNode({ redis: redis.url, name: "a", size: 4, queue })];
  await eventually(async () => (await raw.llen(`bull:${queue}:wait`)) === 0, "the node dropped the withdrawn jobs", 120_000);
  expect(startsOf("terminated-")).toBe(0);
  // BullMQ's own per-queue keys (meta, events, id counter…) are all that is left.
  await eventually(async () => (await raw.keys(`bull:${queue}:*`)).filter((key) => !/:(meta|events|id|stalled-check|marker)$/.test(key)).length === 0, "no job or client key is left", 30_000);
  expect(await raw.dbsize()).toBeLessThan(keysBefore + 10);
}, 240_000);
