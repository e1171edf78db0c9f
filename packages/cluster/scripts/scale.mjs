// The scale run: one client pushes many tiny jobs (1,000,000 by default) through `imap` to real
// worker nodes over a real redis-server, and shows that
//   - every job settles, in order, with its own result;
//   - the client's heap stays bounded: it holds the `buffer` jobs in flight, never the jobs done;
//   - Redis returns to the keys and memory it had before the run (finished jobs are removed).
// `npm run scale -w @weft/cluster` runs the million; test/scale.test.ts runs a smaller count and
// asserts the same figures. Run with --expose-gc, so that heap samples measure what is kept, not
// what the collector has not reached yet.
// Usage: node --expose-gc scripts/scale.mjs [--jobs=1000000] [--nodes=2] [--size=2] [--buffer=128]
// Prints progress to stderr, and at the end one line `SCALE {json}` on stdout; exits 1 if a
// check failed.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { defaultFixtures } from "@weft/conformance";
import { ClusterPool } from "../dist/index.js";
import { startRedisServer } from "../dist/testing/redis-server.js";

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const JOBS = arg("jobs", 1_000_000);
const NODES = arg("nodes", 2);
const SIZE = arg("size", 2);
const BUFFER = arg("buffer", 128);
/** Jobs before the baselines: they create BullMQ's per-queue keys and fill its events stream to its cap (about 10,000 entries, several per job). */
const WARMUP = arg("warmup", 5000);
/** Heap samples over the run. */
const SAMPLES = 20;
/**
 * The checks. The client's heap after a full collection may grow by at most half of what it was
 * after the warm-up: a client that kept even 100 bytes per finished job would grow by 3 MB over
 * 30,000 jobs and 100 MB over a million. Redis may differ from its baseline by at most 1 MiB
 * (the events stream is trimmed approximately, and the allocator keeps some pages).
 */
const HEAP_GROWTH_LIMIT = 0.5;
const REDIS_MEMORY_SLACK = 1024 * 1024;
const QUEUE = "weft-scale";

if (typeof globalThis.gc !== "function") {
  console.error("scale.mjs: run with node --expose-gc (heap samples must follow a full collection)");
  process.exit(2);
}
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const FIXTURES = fileURLToPath(defaultFixtures);
const log = (text) => process.stderr.write(`${text}\n`);

function startNode(url, name) {
  const child = spawn(process.execPath, [CLI, "worker", "--redis", url, "--queue", QUEUE, "--module", `fixtures=${FIXTURES}`, "--kind", "thread", "--size", String(SIZE)], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (/ ready: /.test(out)) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`node ${name} exited with ${code} before it was ready: ${out}`)));
  });
}

async function stopNode(child) {
  child.removeAllListeners("exit");
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

function heapUsed() {
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

function* range(from, to) {
  for (let i = from; i < to; i++) yield i;
}

/** DBSIZE and used_memory once both have stopped changing (removals of finished jobs go in batches). */
async function redisAtRest(raw) {
  let last;
  for (let tries = 0; tries < 100; tries++) {
    const keys = await raw.dbsize();
    const memory = Number(/used_memory:(\d+)/.exec(await raw.info("memory"))[1]);
    if (last && last.keys === keys && Math.abs(last.memory - memory) < 64 * 1024) return { keys, memory };
    last = { keys, memory };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return last;
}

/** Runs `count` jobs through imap from `from`; checks every result; calls `sample` every `every` jobs. */
async function run(pool, from, count, every, sample) {
  let next = from;
  let wrong = 0;
  for await (const result of pool.imap("double", range(from, from + count), { buffer: BUFFER })) {
    if (result !== 2 * next) wrong++;
    next++;
    if (every && (next - from) % every === 0) sample(next - from);
  }
  return { settled: next - from, wrong };
}

const redis = await startRedisServer({ fsync: "everysec" });
const raw = new Redis(redis.url);
const nodes = [];
let report;
try {
  nodes.push(...(await Promise.all(Array.from({ length: NODES }, (_, i) => startNode(redis.url, `n${i}`)))));
  const pool = new ClusterPool({ redis: redis.url, module: "fixtures", queue: QUEUE, size: NODES * SIZE });
  await pool.ready();
  const warm = await run(pool, 0, WARMUP, 0);
  const redisBefore = await redisAtRest(raw);
  const heapBefore = heapUsed();
  const samples = [];
  let peak = heapBefore;
  const started = performance.now();
  const { settled, wrong } = await run(pool, WARMUP, JOBS, Math.max(1, Math.floor(JOBS / SAMPLES)), (done) => {
    const heap = heapUsed();
    peak = Math.max(peak, heap);
    samples.push({ done, heap });
    const seconds = (performance.now() - started) / 1000;
    log(`  ${done.toLocaleString()} of ${JOBS.toLocaleString()} settled, ${Math.round(done / seconds).toLocaleString()} jobs/s, heap ${(heap / 2 ** 20).toFixed(1)} MiB`);
  });
  const seconds = (performance.now() - started) / 1000;
  const heapAfter = heapUsed();
  const redisAfter = await redisAtRest(raw);
  const stats = pool.stats;
  await pool.close();
  const redisClosed = await redisAtRest(raw);
  const heapGrowth = peak - heapBefore;
  const checks = {
    everySettled: settled === JOBS && warm.settled === WARMUP,
    noWrongResult: wrong === 0 && warm.wrong === 0,
    statsAddUp: stats.completed === WARMUP + JOBS && stats.failed === 0 && stats.cancelled === 0 && stats.queued === 0 && stats.running === 0,
    heapBounded: heapGrowth <= HEAP_GROWTH_LIMIT * heapBefore,
    redisKeysBack: redisAfter.keys <= redisBefore.keys,
    redisMemoryBack: redisAfter.memory - redisBefore.memory <= REDIS_MEMORY_SLACK,
  };
  report = {
    jobs: JOBS, nodes: NODES, size: SIZE, buffer: BUFFER, warmup: WARMUP, seconds, jobsPerSecond: JOBS / seconds,
    settled, wrong, stats,
    heap: { before: heapBefore, peak, after: heapAfter, growth: heapGrowth, limit: HEAP_GROWTH_LIMIT * heapBefore, samples },
    redis: { before: redisBefore, after: redisAfter, afterClose: redisClosed },
    checks, ok: Object.values(checks).every(Boolean),
  };
  const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  log(`${JOBS.toLocaleString()} jobs through imap (buffer ${BUFFER}) on ${NODES} nodes of ${SIZE} threads in ${seconds.toFixed(1)} s = ${Math.round(JOBS / seconds).toLocaleString()} jobs/s; settled ${settled.toLocaleString()}, wrong ${wrong}`);
  log(`client heap after gc: ${mib(heapBefore)} after warm-up, peak ${mib(peak)} (growth ${mib(heapGrowth)}, limit ${mib(HEAP_GROWTH_LIMIT * heapBefore)}), ${mib(heapAfter)} at the end`);
  log(`Redis: ${redisBefore.keys} keys / ${mib(redisBefore.memory)} before, ${redisAfter.keys} keys / ${mib(redisAfter.memory)} after (${redisAfter.memory - redisBefore.memory >= 0 ? "+" : ""}${((redisAfter.memory - redisBefore.memory) / 1024).toFixed(0)} KiB), ${redisClosed.keys} keys / ${mib(redisClosed.memory)} after close`);
  log(`checks: ${Object.entries(checks).map(([name, ok]) => `${name} ${ok ? "ok" : "FAILED"}`).join(", ")}`);
} finally {
  await Promise.allSettled(nodes.map(stopNode));
  raw.disconnect();
  await redis.stop();
}
console.log(`SCALE ${JSON.stringify(report)}`);
process.exit(report?.ok ? 0 : 1);
