// weft's benchmarks against its peers, measured in the same run so that the ratios hold on a
// noisy machine. Usage: node src/main.mjs [--quick] [--only=throughput,latency,channels,...]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { Pool, Value, cpuCount, multiprocessing, threading } from "@weft/node";
import { makePeer } from "./node-peers.mjs";
import { fmt, median, percentile, repeat, spread, summary, table } from "./stats.mjs";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const wanted = (section) => !only || only.includes(section);
const TASKS = new URL("./tasks.mjs", import.meta.url);
const N = quick ? 20_000 : 100_000;
const REPS = quick ? 3 : 5;
const report = { machine: { cpus: cpuCount(), node: process.version }, quick, sections: {} };

const weftPool = (kind, size = 2, extra = {}) => new Pool({ kind, size, module: TASKS, ...extra });

async function throughputOf(run, n = N) {
  const start = performance.now();
  const pending = new Array(n);
  for (let i = 0; i < n; i++) pending[i] = run(i);
  await Promise.all(pending);
  return n / ((performance.now() - start) / 1000);
}

// ---------------------------------------------------------------------------------------------
async function throughput() {
  const rows = [];
  const results = {};
  for (const kind of ["thread", "process"]) {
    const pool = weftPool(kind);
    results[`weft ${kind}`] = await repeat(REPS, () => throughputOf((i) => pool.apply("echo", [i])));
    const items = Array.from({ length: N }, (_, i) => i);
    results[`weft ${kind} map (auto chunks)`] = await repeat(REPS, async () => {
      const start = performance.now();
      await pool.map("echo", items);
      return N / ((performance.now() - start) / 1000);
    });
    await pool.close();
  }
  for (const name of ["piscina", "tinypool", "workerpool", "workerpool (process)"]) {
    const peer = await makePeer(name, 2);
    const n = name.startsWith("workerpool") ? Math.min(N, 20_000) : N;
    results[name] = await repeat(REPS, () => throughputOf(peer.run, n));
    await peer.close();
  }
  const python = runPython();
  if (python) {
    results["python Pool.apply_async"] = summary(python.apply_async);
    results["python Pool.map (default chunks)"] = summary(python.map_default);
    results["python Pool.map (chunksize=1)"] = summary(python.map_chunksize_1);
  }
  const ratio = (a, b) => (results[a] && results[b] ? `${(results[a].median / results[b].median).toFixed(2)}×` : "n/a");
  for (const [name, s] of Object.entries(results)) rows.push([name, spread(s)]);
  table(`1. Tiny-task throughput: ${fmt(N)} echo tasks submitted at once, 2 workers (tasks/s, median (min–max) of ${REPS})`, ["subject", "tasks/s"], rows);
  const targets = [
    ["weft threads vs piscina (target ≥ 3×)", ratio("weft thread", "piscina")],
    ["weft threads vs tinypool", ratio("weft thread", "tinypool")],
    ["weft threads vs workerpool", ratio("weft thread", "workerpool")],
    ["weft processes vs workerpool (process)", ratio("weft process", "workerpool (process)")],
    ["weft processes vs python apply_async (target ≥ 3×)", ratio("weft process", "python Pool.apply_async")],
    ["weft process map vs python Pool.map (target ≥ 1×)", ratio("weft process map (auto chunks)", "python Pool.map (default chunks)")],
  ];
  table("   ratios (same run)", ["comparison", "ratio"], targets);
  report.sections.throughput = { results, ratios: Object.fromEntries(targets) };
}

function runPython() {
  const probe = spawnSync("python3", ["--version"]);
  if (probe.status !== 0) {
    console.log("   python3 not found: the Python rows are left out");
    return undefined;
  }
  const out = execFileSync("python3", [new URL("./python_pool.py", import.meta.url).pathname, String(N), String(REPS)], { encoding: "utf8" });
  return JSON.parse(out);
}

// ---------------------------------------------------------------------------------------------
async function latency() {
  const n = quick ? 2_000 : 10_000;
  const rounds = 5;
  const sequential = async (run, count) => {
    const samples = new Array(count);
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await run(i);
      samples[i] = (performance.now() - start) * 1000;
    }
    return samples;
  };
  // Every subject is measured in each of several rounds, in turn, so that a change in the
  // machine's state (another process waking, CPU idle states) hits all of them alike.
  const subjects = [];
  for (const kind of ["thread", "process"]) {
    const pool = weftPool(kind, 1);
    subjects.push({ name: `weft ${kind}`, run: (i) => pool.apply("echo", [i]), close: () => pool.close() });
  }
  // Opt-in: the caller spins up to 100 µs for the answer instead of going back to its event loop.
  const spinning = weftPool("thread", 1, { spinWait: 100 });
  subjects.push({ name: "weft thread, spinWait 100 µs", run: (i) => spinning.apply("echo", [i]), close: () => spinning.close() });
  for (const name of ["piscina", "tinypool", "workerpool"]) {
    const peer = await makePeer(name, 1);
    subjects.push({ name, run: peer.run, close: peer.close });
  }
  const results = Object.fromEntries(subjects.map((s) => [s.name, []]));
  for (const subject of subjects) await sequential(subject.run, 500); // warm up
  results["floor: bare postMessage echo"] = [];
  results["floor: Atomics ping-pong"] = [];
  for (let round = 0; round < rounds; round++) {
    for (const subject of subjects) results[subject.name].push(...(await sequential(subject.run, n / rounds)));
    results["floor: bare postMessage echo"].push(...(await bareEcho(n / rounds)));
    results["floor: Atomics ping-pong"].push(...(await atomicsPingPong(n / rounds)));
  }
  for (const subject of subjects) await subject.close();
  const rows = Object.entries(results).map(([name, samples]) => [name, median(samples).toFixed(1), percentile(samples, 99).toFixed(1)]);
  table(`2. Round-trip latency: one task at a time, ${fmt(n)} times in ${rounds} interleaved rounds (µs)`, ["subject", "median", "p99"], rows);
  const ratio = median(results["weft thread"]) / median(results.piscina);
  const spinRatio = median(results["weft thread, spinWait 100 µs"]) / median(results.piscina);
  table("   ratios (same run)", ["comparison", "ratio"], [
    ["weft thread median / piscina median (target ≤ 0.5)", ratio.toFixed(2)],
    ["weft thread with spinWait median / piscina median (target ≤ 0.5)", spinRatio.toFixed(2)],
    ["weft thread median / Atomics ping-pong floor", (median(results["weft thread"]) / median(results["floor: Atomics ping-pong"])).toFixed(2)],
  ]);
  report.sections.latency = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { medianUs: median(v), p99Us: percentile(v, 99) }]));
}

function bareEcho(n) {
  const worker = new Worker("const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m));", { eval: true });
  return new Promise((resolve) => {
    const samples = [];
    let i = 0;
    let start = 0;
    const next = () => {
      start = performance.now();
      worker.postMessage(i);
    };
    worker.on("message", () => {
      samples.push((performance.now() - start) * 1000);
      if (++i < n) next();
      else void worker.terminate().then(() => resolve(samples));
    });
    next();
  });
}

async function atomicsPingPong(n) {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads'); const s = workerData;
     for (;;) { Atomics.wait(s, 0, 0); if (Atomics.load(s, 0) === 2) break; Atomics.store(s, 0, 0); Atomics.store(s, 1, 1); Atomics.notify(s, 1); }`,
    { eval: true, workerData: shared },
  );
  await new Promise((r) => setTimeout(r, 50));
  const samples = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    Atomics.store(shared, 1, 0);
    Atomics.store(shared, 0, 1);
    Atomics.notify(shared, 0);
    const wait = Atomics.waitAsync(shared, 1, 0);
    if (wait.async) await wait.value;
    samples.push((performance.now() - start) * 1000);
  }
  Atomics.store(shared, 0, 2);
  Atomics.notify(shared, 0);
  await worker.terminate();
  return samples;
}

// ---------------------------------------------------------------------------------------------
async function speedup() {
  const cores = cpuCount();
  const chunk = quick ? 40_000 : 120_000;
  const chunks = Array.from({ length: 8 }, () => [2_000_000, 2_000_000 + chunk]);
  const rows = [];
  const results = {};
  for (const kind of ["thread", "process"]) {
    for (const size of [...new Set([1, 2, cores])]) {
      const pool = weftPool(kind, size);
      results[`${kind} × ${size}`] = await repeat(REPS, async () => {
        const start = performance.now();
        await pool.starmap("countPrimes", chunks, { chunksize: 1 });
        return performance.now() - start;
      });
      await pool.close();
    }
    const serial = results[`${kind} × 1`].median;
    for (const size of [...new Set([2, cores])]) {
      const s = results[`${kind} × ${size}`];
      rows.push([`${kind}s`, size, s.median.toFixed(0), (serial / s.median).toFixed(2), kind === "thread" ? "1.90" : "1.85"]);
    }
  }
  table(`3. CPU-bound speedup: 8 equal chunks, serial (1 worker) vs 2 and cpu count (${cores}) workers`, ["kind", "workers", "ms (median)", "speedup", "target"], rows);
  report.sections.speedup = { results, rows };
}

// ---------------------------------------------------------------------------------------------
async function payload() {
  const bytes = (quick ? 16 : 64) * 1024 * 1024;
  const pool = weftPool("thread", 1);
  const reps = quick ? 2 : 3;
  const results = {};
  results.copy = await repeat(reps, async () => {
    const data = new Uint8Array(bytes);
    const start = performance.now();
    await pool.apply("bounce", [data]);
    return performance.now() - start;
  });
  results.transfer = await repeat(reps, async () => {
    const data = new Uint8Array(bytes);
    const start = performance.now();
    await pool.apply("bounce", [data], { transfer: [data.buffer] });
    return performance.now() - start;
  });
  results.SharedArrayBuffer = await repeat(reps, async () => {
    const data = new Uint8Array(new SharedArrayBuffer(bytes));
    const start = performance.now();
    await pool.apply("touchShared", [data]);
    return performance.now() - start;
  });
  await pool.close();
  const processPool = weftPool("process", 1);
  results["copy to a process"] = await repeat(reps, async () => {
    const data = new Uint8Array(bytes);
    const start = performance.now();
    await processPool.apply("bounce", [data]);
    return performance.now() - start;
  });
  await processPool.close();
  table(`4. Payload: ${bytes / 1024 / 1024} MiB to a worker and back (ms)`, ["how", "ms (median, min–max)"], Object.entries(results).map(([k, s]) => [k, spread(s, 1)]));
  report.sections.payload = results;
}

// ---------------------------------------------------------------------------------------------
async function startup() {
  const results = {};
  for (const kind of ["thread", "process"]) {
    results[`weft ${kind}`] = await repeat(REPS, async () => {
      const start = performance.now();
      const pool = weftPool(kind, 2);
      await pool.apply("echo", [1]);
      const ms = performance.now() - start;
      await pool.terminate();
      return ms;
    });
  }
  for (const name of ["piscina", "tinypool"]) {
    results[name] = await repeat(REPS, async () => {
      const start = performance.now();
      const peer = await makePeer(name, 2);
      await peer.run(1);
      const ms = performance.now() - start;
      await peer.close();
      return ms;
    });
  }
  table("5. Start-up: a pool of 2 until its first task is done (ms)", ["subject", "ms (median, min–max)"], Object.entries(results).map(([k, s]) => [k, spread(s, 1)]));
  report.sections.startup = results;
}

// ---------------------------------------------------------------------------------------------
async function sharedMemory() {
  const iterations = quick ? 200_000 : 1_000_000;
  const pool = weftPool("thread", 2);
  const lock = new threading.Lock();
  const uncontended = await repeat(REPS, () => pool.apply("uncontendedLock", [lock, iterations]));
  const handoff = await repeat(REPS, async () => {
    const counter = new Value("int32", 0);
    const perThread = iterations / 10;
    // A barrier starts both threads together, so that they really contend for the lock.
    const start = new threading.Barrier(2);
    const times = await Promise.all([pool.apply("contendedLock", [lock, counter, perThread, start]), pool.apply("contendedLock", [lock, counter, perThread, start])]);
    if (counter.load() !== perThread * 2) throw new Error("contended lock lost an update");
    return (perThread * 2) / (Math.max(...times) / 1000);
  });
  await pool.close();
  const channel = {};
  for (const kind of ["thread", "process"]) {
    const p = weftPool(kind, 1);
    const count = quick ? 2_000 : 10_000;
    channel[kind] = await repeat(REPS, async () => {
      const queue = new multiprocessing.Queue({ maxsize: 1000 });
      const start = performance.now();
      const producing = p.apply("produce", [queue, count]);
      let received = 0;
      for await (const _ of queue) received++;
      await producing;
      if (received !== count) throw new Error("channel lost items");
      return count / ((performance.now() - start) / 1000);
    });
    await p.close();
  }
  table("6. Shared memory and channels (operations/s)", ["measure", "ops/s (median, min–max)"], [
    ["Lock acquire+release, uncontended, inside a worker", spread(uncontended)],
    ["Lock acquire+release by two threads at once (contended)", spread(handoff)],
    ["Queue messages/s, thread producer → main", spread(channel.thread)],
    ["Queue messages/s, process producer → main", spread(channel.process)],
  ]);
  report.sections.sharedMemory = { uncontended, handoff, channel };
}

// ---------------------------------------------------------------------------------------------
// 8. cluster (src/cluster.mjs).
async function cluster() {
  const { clusterBench } = await import("./cluster.mjs");
  await clusterBench({ quick, report });
}

// ---------------------------------------------------------------------------------------------
// 9. multiprocessing.Queue and Pipe against Python's, in the same run (src/channels.mjs).
async function channels() {
  const { runChannels } = await import("./channels.mjs");
  report.sections.channels = await runChannels({ quick, title: "9. Channels" });
}

const sections = { throughput, latency, speedup, payload, startup, sharedMemory, cluster, channels };
console.log(`weft benchmarks on Node ${process.version}, ${cpuCount()} CPUs${quick ? " (quick)" : ""}`);
for (const [name, run] of Object.entries(sections)) if (wanted(name)) await run();
if (Object.keys(report.sections).length > 0) {
  // Only when a Node section ran: `--only=runtimes` must not overwrite the last full report.
  const dir = new URL("../../../results/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL("bench-node.json", dir), JSON.stringify(report, null, 2));
  console.log("\nWritten to results/bench-node.json");
}

// ---------------------------------------------------------------------------------------------
// 7. Every runtime: the same benchmark under node, deno, bun and headless Chromium, each through
// its own adapter (src/cross-runtime/run.mjs; it writes results/bench-runtimes.json itself).
if (wanted("runtimes")) {
  const { runAll } = await import("./cross-runtime/run.mjs");
  await runAll({ quick, title: "7. Every runtime" });
}
