// 8. Cluster: weft's ClusterPool (over BullMQ and a real redis-server) against raw BullMQ
// Queue/Worker running the same no-op jobs, and against a local process pool, in the same run.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { Pool } from "weftjs";
import { ClusterPool } from "@weft/cluster";
import { redisServerMissing, startRedisServer } from "@weft/cluster/testing";
import { fmt, median, percentile, spread, table } from "./stats.mjs";

const TASKS = new URL("./tasks.mjs", import.meta.url);
const CLI = fileURLToPath(new URL("../../../packages/cluster/dist/cli.js", import.meta.url));
const RAW_WORKER = fileURLToPath(new URL("./cluster-raw-worker.mjs", import.meta.url));
/** Node sizes measured: one job at a time, and four. */
const CONCURRENCIES = [1, 4];

function startProcess(args) {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (/ready/.test(out)) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}: ${out}`)));
  });
}

async function stopProcess(child) {
  child.removeAllListeners("exit");
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  // A node that has not finished its shutdown in 15 s is killed: the bench must leave no process behind.
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

/** A minimal raw BullMQ client: add jobs, settle each from one "completed" listener. */
async function rawClient(port, queueName) {
  const connection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };
  const queue = new Queue(queueName, { connection });
  // Read the event stream from its current end, as ClusterPool does: QueueEvents' default ("$",
  // from its first read on) would miss jobs that finish before that read.
  const redis = new Redis(connection);
  const [last] = await redis.xrevrange(`bull:${queueName}:events`, "+", "-", "COUNT", 1);
  await redis.quit();
  const events = new QueueEvents(queueName, { connection, lastEventId: last?.[0] ?? "0-0" });
  await events.waitUntilReady();
  const waiting = new Map();
  events.on("completed", ({ jobId, returnvalue }) => {
    waiting.get(jobId)?.(returnvalue);
    waiting.delete(jobId);
  });
  let next = 0;
  const keep = { age: 3600 };
  return {
    run(i) {
      const jobId = `raw-${next++}`;
      const done = new Promise((resolve) => waiting.set(jobId, resolve));
      return queue.add("echo", { i }, { jobId, attempts: 1, removeOnComplete: keep, removeOnFail: keep }).then(() => done);
    },
    close: () => Promise.all([events.close(), queue.close()]),
  };
}

/** One sitting's rounds at one concurrency: raw BullMQ, ClusterPool and a local pool, alternated. */
async function measureAt(redis, concurrency, { n, sequentialN, reps }) {
  const rawQueue = `bench-raw-${concurrency}`;
  const weftQueue = `bench-weft-${concurrency}`;
  const rawNode = await startProcess([RAW_WORKER, String(redis.port), rawQueue, String(concurrency)]);
  const weftNode = await startProcess([CLI, "worker", "--redis", redis.url, "--queue", weftQueue, "--module", fileURLToPath(TASKS), "--kind", "thread", "--size", String(concurrency)]);
  const raw = await rawClient(redis.port, rawQueue);
  const cluster = new ClusterPool({ redis: redis.url, module: "tasks", queue: weftQueue, size: concurrency });
  const local = new Pool({ kind: "process", size: concurrency, module: TASKS });
  const subjects = {
    "raw BullMQ Queue/Worker": (i) => raw.run(i),
    "weft ClusterPool": (i) => cluster.apply("echo", [i]),
    "weft local process Pool": (i) => local.apply("echo", [i]),
  };
  const throughput = {};
  const roundTrip = {};
  /** Each round's round-trip median per subject: the per-round ratios show the spread within the sitting. */
  const roundMedians = {};
  for (const name of Object.keys(subjects)) {
    throughput[name] = [];
    roundTrip[name] = [];
    roundMedians[name] = [];
  }
  try {
    // Warm every subject, then measure them in turn, round after round, so that a change in the
    // machine's load hits them alike.
    for (const run of Object.values(subjects)) await Promise.all(Array.from({ length: 50 }, (_, i) => run(i)));
    for (let round = 0; round < reps; round++) {
      for (const [name, run] of Object.entries(subjects)) {
        const start = performance.now();
        await Promise.all(Array.from({ length: n }, (_, i) => run(i)));
        throughput[name].push(n / ((performance.now() - start) / 1000));
        const times = [];
        for (let i = 0; i < sequentialN / reps; i++) {
          const t = performance.now();
          await run(i);
          times.push((performance.now() - t) * 1000);
        }
        roundTrip[name].push(...times);
        roundMedians[name].push(median(times));
      }
    }
  } finally {
    await Promise.allSettled([raw.close(), cluster.close(), local.close()]);
    await Promise.allSettled([stopProcess(rawNode), stopProcess(weftNode)]);
  }
  return { subjects: Object.keys(subjects), throughput, roundTrip, roundMedians };
}

export async function clusterBench({ quick, report }) {
  const missing = await redisServerMissing();
  if (missing) {
    console.log(`\n8. Cluster: skipped, ${missing}`);
    return;
  }
  const n = quick ? 300 : 2000;
  const sequentialN = quick ? 99 : 1050;
  const reps = quick ? 3 : 7;
  // The same server for both: everysec persistence, as a production Redis usually runs.
  const redis = await startRedisServer({ fsync: "everysec" });
  const sections = {};
  try {
    for (const concurrency of CONCURRENCIES) {
      const { subjects, throughput, roundTrip, roundMedians } = await measureAt(redis, concurrency, { n, sequentialN, reps });
      const summaries = Object.fromEntries(Object.entries(throughput).map(([name, values]) => [name, { median: median(values), min: Math.min(...values), max: Math.max(...values) }]));
      table(`8. Cluster: ${fmt(n)} no-op jobs submitted at once, then ${sequentialN} one at a time; one node of ${concurrency} (median (min–max) of ${reps} rounds)`,
        ["subject", "tasks/s", "round trip median", "p99"],
        subjects.map((name) => [name, spread(summaries[name]), `${fmt(median(roundTrip[name]))} µs`, `${fmt(percentile(roundTrip[name], 99))} µs`]));
      const rawName = "raw BullMQ Queue/Worker";
      // The same ratios round by round (the subjects alternate within a round): their range is the spread within this sitting.
      const perRound = (values) => values["weft ClusterPool"].map((value, round) => value / values[rawName][round]);
      const range = (ratios) => `(rounds ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
      const rows = [
        [`ClusterPool throughput vs raw BullMQ, concurrency ${concurrency} (target ≥ 0.9×)`, `${(summaries["weft ClusterPool"].median / summaries[rawName].median).toFixed(2)}× ${range(perRound(throughput))}`],
        [`ClusterPool round trip p50 vs raw BullMQ, concurrency ${concurrency} (target ≤ 1.2×)`, `${(median(roundTrip["weft ClusterPool"]) / median(roundTrip[rawName])).toFixed(2)}× ${range(perRound(roundMedians))}`],
        ["local process Pool vs ClusterPool, throughput", `${(summaries["weft local process Pool"].median / summaries["weft ClusterPool"].median).toFixed(1)}×`],
      ];
      table("   ratios (same run)", ["comparison", "value"], rows);
      sections[concurrency] = { throughput: summaries, roundTripUs: Object.fromEntries(Object.entries(roundTrip).map(([k, v]) => [k, { median: median(v), p99: percentile(v, 99) }])), ratios: Object.fromEntries(rows) };
    }
  } finally {
    await redis.stop();
  }
  report.sections.cluster = { n, sequentialN, concurrencies: sections };
}
