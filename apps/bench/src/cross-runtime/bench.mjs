// The cross-runtime benchmark: the same code, importing `weftjs`, on Node, Deno, Bun and in a
// browser page. `weftjs` resolves to the runtime's adapter through its export conditions (node,
// deno, bun, browser). Nothing here uses a runtime-specific API: only weft, `performance` and
// the plain helpers of ../stats.mjs.
//
// For each kind (thread, process) it measures:
//   throughput  N echo tasks submitted at once on a pool of 2 (tasks/s)
//   latency     echo tasks one at a time on a pool of 1 (median and p99 µs of each repetition)
//   speedup     8 equal countPrimes chunks on a pool of 1 vs a pool of 2 (serial ms / parallel ms)
//   startup     a new pool of 2 until its first task is done (ms)
//   channel     items/s through a multiprocessing.Queue and a Pipe from a worker to the main side,
//               and through a Queue from the main side to a worker
// Every measure is repeated (3 quick / 5 full, after one warm-up) and summarised as median, min, max.
import { Pool, adapter, cpuCount, multiprocessing } from "weftjs";
import { countItems, itemsPerSecond, median, percentile, summary } from "../stats.mjs";

export const KINDS = ["thread", "process"];

/** Starts the report line a command-line run prints on stdout (see entry.mjs). */
export const MARKER = "@@weft-bench-runtimes@@ ";

/** The workload sizes for a quick or a full run (shared with the launcher, which prints them). */
export function plan(quick, smoke = false) {
  // smoke: tiny sizes that only check the wiring (the launcher's --smoke), never for figures.
  if (smoke) return { quick, smoke, reps: 1, throughputTasks: 200, latencyTasks: 50, primeChunk: 2_000, chunks: 8, channelItems: 500, channelWarmups: 1, channelReps: 1 };
  return {
    quick,
    reps: quick ? 3 : 5,
    throughputTasks: quick ? 20_000 : 100_000,
    latencyTasks: quick ? 2_000 : 10_000,
    primeChunk: quick ? 40_000 : 120_000,
    chunks: 8,
    channelItems: quick ? 20_000 : 100_000,
    // A channel run takes 15–60 ms: one warm-up left the JIT tiers and the heap sizes still
    // settling (Deno's runs kept getting faster for about ten runs), and five runs so short gave
    // medians that moved by 2× between sittings. The channel rows warm up longer and take more.
    channelWarmups: quick ? 3 : 10,
    channelReps: quick ? 5 : 11,
  };
}

/** Runs `fn` `warmups` times to warm up (once by default), then `reps` times; returns the values. */
async function repeated(reps, fn, warmups = 1) {
  for (let i = 0; i < warmups; i++) await fn();
  const values = [];
  for (let i = 0; i < reps; i++) values.push(await fn());
  return values;
}

async function throughput(kind, module, p) {
  const pool = new Pool({ kind, size: 2, module });
  try {
    const values = await repeated(p.reps, async () => {
      const start = performance.now();
      const pending = new Array(p.throughputTasks);
      for (let i = 0; i < p.throughputTasks; i++) pending[i] = pool.apply("echo", [i]);
      const results = await Promise.all(pending);
      const elapsed = performance.now() - start;
      if (results[p.throughputTasks - 1] !== p.throughputTasks - 1) throw new Error("echo returned the wrong value");
      return p.throughputTasks / (elapsed / 1000);
    });
    return summary(values);
  } finally {
    await pool.close();
  }
}

async function latency(kind, module, p) {
  const pool = new Pool({ kind, size: 1, module });
  const medians = [];
  const p99s = [];
  try {
    await repeated(p.reps, async () => {
      const samples = new Array(p.latencyTasks);
      for (let i = 0; i < p.latencyTasks; i++) {
        const start = performance.now();
        await pool.apply("echo", [i]);
        samples[i] = (performance.now() - start) * 1000;
      }
      medians.push(median(samples));
      p99s.push(percentile(samples, 99));
    });
  } finally {
    await pool.close();
  }
  // The warm-up repetition is the first one recorded: leave it out.
  return { median: summary(medians.slice(1)), p99: summary(p99s.slice(1)) };
}

async function speedup(kind, module, p) {
  const chunks = Array.from({ length: p.chunks }, () => [2_000_000, 2_000_000 + p.primeChunk]);
  /** A fresh pool of `size`: one warm-up run (each worker compiles countPrimes), then one timed run. */
  const timedOn = async (size) => {
    const pool = new Pool({ kind, size, module });
    try {
      let ms = 0;
      for (let run = 0; run < 2; run++) {
        const start = performance.now();
        const counts = await pool.starmap("countPrimes", chunks, { chunksize: 1 });
        ms = performance.now() - start;
        if (counts.length !== p.chunks || counts.some((c) => c !== counts[0])) throw new Error("countPrimes chunks disagree");
      }
      return ms;
    } finally {
      await pool.close();
    }
  };
  // Serial and parallel runs alternate, so that a noisy moment hits both, and each pair gives one
  // speedup. Only one pool is alive at a time: idle workers of the other cannot take a core.
  const serialMs = [];
  const parallelMs = [];
  const ratios = [];
  for (let i = 0; i < p.reps; i++) {
    const serial = await timedOn(1);
    const parallel = await timedOn(2);
    serialMs.push(serial);
    parallelMs.push(parallel);
    ratios.push(serial / parallel);
  }
  return { speedup: summary(ratios), serialMs: summary(serialMs), parallelMs: summary(parallelMs) };
}

async function startup(kind, module, p) {
  return summary(
    await repeated(p.reps, async () => {
      const start = performance.now();
      const pool = new Pool({ kind, size: 2, module });
      await pool.apply("echo", [1]);
      const ms = performance.now() - start;
      await pool.terminate();
      return ms;
    }),
  );
}

/** The channel rows: a worker → main through a Queue and through a Pipe, main → a worker through a Queue. */
export const CHANNEL_ROWS = ["queueOut", "pipeOut", "queueIn"];

async function channel(kind, module, p) {
  const n = p.channelItems;
  const pool = new Pool({ kind, size: 1, module });
  const rows = {
    queueOut: () => itemsPerSecond(n, async () => {
      const queue = new multiprocessing.Queue();
      const producing = pool.apply("produce", [queue, n]);
      const count = await countItems(queue);
      await producing;
      return count;
    }),
    pipeOut: () => itemsPerSecond(n, async () => {
      const [here, there] = multiprocessing.Pipe();
      const sending = pool.apply("sendItems", [there, n]);
      const count = await countItems(here);
      await sending;
      return count;
    }),
    queueIn: () => itemsPerSecond(n, async () => {
      const queue = new multiprocessing.Queue();
      const consuming = pool.apply("consumeCount", [queue]);
      for (let i = 0; i < n; i++) await queue.put(i);
      await queue.close();
      return consuming;
    }),
  };
  try {
    await pool.apply("echo", [0]);
    const result = {};
    for (const row of CHANNEL_ROWS) result[row] = summary(await repeated(p.channelReps ?? p.reps, rows[row], p.channelWarmups ?? 1));
    return result;
  } finally {
    await pool.close();
  }
}

/**
 * Runs every measure (or those named in `only`) for both kinds. `module` is the URL of the task module (../tasks.mjs);
 * `log` gets one line per step (progress, not results). Resolves a JSON-ready report; a measure
 * that throws is recorded as { error } and the others still run.
 */
export async function runBench({ quick = false, smoke = false, only, module = new URL("../tasks.mjs", import.meta.url), log = () => {}, runtime, version } = {}) {
  const p = plan(quick, smoke);
  const report = { runtime, version, adapter: adapter.runtime, sharedMemory: adapter.capabilities.sharedMemory, cpus: cpuCount(), plan: p, startedAt: new Date().toISOString(), kinds: {} };
  const measures = { throughput, latency, speedup, startup, channel };
  for (const kind of KINDS) {
    const results = (report.kinds[kind] = {});
    for (const [name, measure] of Object.entries(measures)) {
      if (only && !only.includes(name)) continue;
      const started = performance.now();
      try {
        results[name] = await measure(kind, module, p);
        log(`${kind} ${name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      } catch (error) {
        results[name] = { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
        log(`${kind} ${name}: FAILED ${results[name].error}`);
      }
    }
  }
  report.finishedAt = new Date().toISOString();
  return report;
}
