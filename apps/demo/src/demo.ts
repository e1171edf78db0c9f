/**
 * The demo itself, runtime-neutral: the guide's workloads run serially, as tasks on one event loop,
 * on a thread pool and on a process pool, plus the shared-counter race and the embedding server.
 * Everything concurrent comes from `weftjs`, whose export conditions pick this runtime's adapter.
 */
import { Pool, TaskGroup, Thread, Value, adapter, cpuCount, threading } from "weftjs";
import { loadavg } from "node:os";
import { serve } from "./http.js";
import { Progress } from "./progress.js";
import { currentRuntime, runtimeVersion } from "./runtime.js";
import type * as TaskModule from "./tasks.js";
import { type EmbedReport, type EmbedRow, MODELS, type Model, type RaceReport, type RaceRow, type Row, type RuntimeReport, type WorkloadReport } from "./types.js";

type Tasks = typeof TaskModule;
/** The task module, by URL: workers import it, as Python imports a Process target's module. */
export const TASKS_URL = new URL("./tasks.js", import.meta.url);

/**
 * Workers that talk to the loopback server need the network. On Deno a worker gets no permission
 * unless given one (least privilege); the other runtimes pass `runtimeOptions` by untouched.
 */
const LOOPBACK = { runtimeOptions: { permissions: { net: ["127.0.0.1"] } } };

export interface DemoOptions {
  quick: boolean;
  /** Pool size for CPU-bound work (default: the CPU count). */
  workers: number;
  /** Pool size for I/O-bound work (waits need workers, not cores). */
  ioWorkers: number;
  parts: ReadonlySet<"cpu" | "io" | "race" | "embed">;
  /** Called with each finished section, to print it as soon as it is measured. */
  onSection?: (name: "cpu" | "io" | "race" | "embed", report: RuntimeReport) => void;
}

export function header(): Pick<RuntimeReport, "runtime" | "version" | "adapter" | "cpus" | "load"> {
  let load = 0;
  try {
    load = loadavg()[0] ?? 0;
  } catch {
    // not available here
  }
  return { runtime: currentRuntime(), version: runtimeVersion(), adapter: adapter.runtime, cpus: cpuCount(), load: Math.round(load * 100) / 100 };
}

export async function runDemo(options: DemoOptions): Promise<RuntimeReport> {
  const tasks = (await import(TASKS_URL.href)) as Tasks;
  const report: RuntimeReport = { ...header(), quick: options.quick, date: new Date().toISOString() };
  if (options.parts.has("cpu")) {
    report.cpu = await cpuBound(tasks, options);
    options.onSection?.("cpu", report);
  }
  if (options.parts.has("io")) {
    report.io = await ioBound(tasks, options);
    options.onSection?.("io", report);
  }
  if (options.parts.has("race")) {
    report.race = await race(options);
    options.onSection?.("race", report);
  }
  if (options.parts.has("embed")) {
    report.embed = await embedding(tasks, options);
    options.onSection?.("embed", report);
  }
  return report;
}

// ----- the four models over one workload ------------------------------------------------------

interface Workload<A extends unknown[]> {
  label: string;
  items: A[];
  /** The task's name in the task module. */
  task: "countPrimes" | "fetchText";
  direct: (...args: A) => number | Promise<number>;
  combine: (results: number[]) => number;
}

async function timeModels<A extends unknown[]>(work: Workload<A>, poolSize: number, network = false): Promise<Row[]> {
  // Warm the function up on this thread first, so that serial is not charged for the JIT's start.
  await work.direct(...work.items[0]!);
  const rows: Row[] = [];
  for (const model of MODELS) {
    const progress = new Progress(`${work.label}: ${model}`, work.items.length);
    const started = performance.now();
    let startMs = 0;
    let results: number[];
    if (model === "serial") {
      results = [];
      for (const args of work.items) {
        results.push(await work.direct(...args));
        progress.tick();
      }
    } else if (model === "tasks") {
      // asyncio: every item is a task on this one event loop; they take turns whenever one awaits.
      results = await TaskGroup.run(async (group) => {
        const all = work.items.map((args) => group.createTask(async () => {
          const value = await work.direct(...args);
          progress.tick();
          return value;
        }));
        return all;
      }).then((all) => Promise.all(all));
    } else {
      const pool = new Pool<Tasks>({ kind: model === "threads" ? "thread" : "process", size: poolSize, module: TASKS_URL, workerOptions: network ? LOOPBACK : {} });
      try {
        // Bring every worker up first, so that the table can show what starting them costs.
        await Promise.all(Array.from({ length: poolSize }, () => pool.apply("noop", [])));
        startMs = performance.now() - started;
        // Guide lesson 5, combined: a TaskGroup of pool tasks. If one failed, the group would
        // cancel the others through their signals (queued ones never run).
        results = await TaskGroup.run(async (group) =>
          work.items.map((args) =>
            group.createTask(async (signal) => {
              const value = (await pool.apply(work.task, args as never, { signal })) as number;
              progress.tick();
              return value;
            }),
          ),
        ).then((all) => Promise.all(all));
      } finally {
        await pool.close();
      }
    }
    const wallMs = performance.now() - started;
    progress.end();
    rows.push({ model, workers: model === "serial" || model === "tasks" ? 1 : poolSize, wallMs, startMs, speedup: 0, result: work.combine(results) });
  }
  const serial = rows[0]!.wallMs;
  for (const row of rows) row.speedup = serial / row.wallMs;
  const mismatch = rows.find((row) => row.result !== rows[0]!.result);
  if (mismatch) throw new Error(`${work.label}: ${mismatch.model} computed ${mismatch.result}, serial ${rows[0]!.result}`);
  return rows;
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);

async function cpuBound(tasks: Tasks, options: DemoOptions): Promise<WorkloadReport> {
  const limit = options.quick ? 1_000_000 : 6_000_000;
  const chunks = options.quick ? 16 : 48;
  const step = Math.ceil(limit / chunks);
  const items: [number, number][] = Array.from({ length: chunks }, (_, i) => [i * step, Math.min(limit, (i + 1) * step)]);
  const rows = await timeModels({ label: "CPU-bound", items, task: "countPrimes", direct: tasks.countPrimes, combine: (r) => r.reduce((a, b) => a + b, 0) }, options.workers);
  const by = byModel(rows);
  const threadStartFaster = by.processes.startMs - by.threads.startMs;
  const lesson =
    `Computation needs cores: the thread pool ran ${fmt(by.threads.speedup)}× and the process pool ${fmt(by.processes.speedup)}× ` +
    `as fast as serial on ${options.workers} workers, while tasks on one event loop ran ${fmt(by.tasks.speedup)}× (they take turns on one thread). ` +
    `Unlike CPython's threads (held back by the GIL), JavaScript worker threads compute in parallel; ` +
    `threads started ${Math.round(Math.abs(threadStartFaster))} ms ${threadStartFaster >= 0 ? "faster" : "slower"} than processes, which in exchange isolate faults.`;
  return { title: `count the primes below ${limit.toLocaleString("en-US")} in ${chunks} chunks`, params: { limit, chunks, workers: options.workers }, rows, lesson };
}

async function ioBound(tasks: Tasks, options: DemoOptions): Promise<WorkloadReport> {
  const requests = options.quick ? 24 : 100;
  const delayMs = 20;
  // A loopback server that answers every request after `delayMs`: the waiting is real I/O.
  const server = await serve(async (request) => {
    const ms = Number(new URL(request.url).searchParams.get("ms") ?? delayMs);
    await new Promise((resolve) => setTimeout(resolve, ms));
    return new Response("ok");
  });
  try {
    const items: [string][] = Array.from({ length: requests }, (_, i) => [`${server.url}/io?ms=${delayMs}&i=${i}`]);
    const rows = await timeModels({ label: "I/O-bound", items, task: "fetchText", direct: tasks.fetchText, combine: (r) => r.length }, options.ioWorkers, true);
    const by = byModel(rows);
    const lesson =
      `Waiting needs no cores: ${requests} tasks on one event loop overlapped their waits and ran ${fmt(by.tasks.speedup, 1)}× as fast as serial, ` +
      `with no workers at all. ${options.ioWorkers} threads (${fmt(by.threads.speedup, 1)}×) and ${options.ioWorkers} processes (${fmt(by.processes.speedup, 1)}×) help too, ` +
      `but only ${options.ioWorkers} waits at a time, and starting them cost ${Math.round(by.threads.startMs)} ms and ${Math.round(by.processes.startMs)} ms.`;
    return { title: `${requests} requests to a loopback server that answers after ${delayMs} ms`, params: { requests, delayMs, workers: options.ioWorkers }, rows, lesson };
  } finally {
    await server.close();
  }
}

function byModel(rows: Row[]): Record<Model, Row> {
  return Object.fromEntries(rows.map((row) => [row.model, row])) as Record<Model, Row>;
}

// ----- the race (guide lesson 3) ---------------------------------------------------------------

async function race(options: DemoOptions): Promise<RaceReport> {
  const threads = 4;
  const perThread = 100_000;
  const expected = threads * perThread;
  const rows: RaceRow[] = [];
  const variants = [
    { variant: "unlocked", label: "no lock: counter.store(counter.load() + 1)", target: "incrementUnlocked" },
    { variant: "lock", label: "threading.Lock around the same two steps", target: "incrementLocked" },
    { variant: "atomic", label: "atomic Value: counter.add(1)", target: "incrementAtomic" },
  ] as const;
  for (const { variant, label, target } of variants) {
    const counter = new Value("int32", 0);
    const lock = new threading.Lock();
    // A barrier lines the threads up, so that they really run at the same time.
    const start = new threading.Barrier(threads);
    const progress = new Progress(`race: ${variant}`, expected);
    const args = variant === "lock" ? [counter, start, perThread, lock] : [counter, start, perThread];
    const workers = Array.from({ length: threads }, () => new Thread({ module: TASKS_URL, target, args: args as never }).start());
    // Shown live: the main thread reads the shared counter while the threads write it.
    const watch = setInterval(() => progress.set(counter.load()), 15);
    // Each thread times its own loop from the barrier's release: the cost of the counting itself.
    const loopMs = (await Promise.all(workers.map((w) => w.join()))) as number[];
    clearInterval(watch);
    progress.end();
    const ms = Math.max(...loopMs);
    const count = counter.load();
    rows.push({ variant, label, expected, count, lost: expected - count, ms });
  }
  // Processes share nothing: a shared Value cannot even be sent to one...
  let processRefusal = "";
  const pool = new Pool<Tasks>({ kind: "process", size: Math.min(threads, Math.max(2, options.workers)), module: TASKS_URL });
  try {
    const counter = new Value("int32", 0);
    try {
      await pool.apply("incrementAtomic", [counter, new threading.Barrier(1), 1]);
      processRefusal = "(accepted: unexpected)";
    } catch (error) {
      processRefusal = `${(error as Error).name}: ${(error as Error).message}`;
    }
    // ...so each process counts on its own copy, and the counts come back as messages.
    await Promise.all(Array.from({ length: pool.size }, () => pool.apply("noop", [])));
    const launched = performance.now();
    const counts = await pool.map("incrementPrivate", Array.from({ length: threads }, () => perThread), { chunksize: 1 });
    const count = counts.reduce((a, b) => a + b, 0);
    rows.push({ variant: "processes", label: "processes: private counters, summed from messages", expected, count, lost: expected - count, ms: performance.now() - launched });
  } finally {
    await pool.close();
  }
  const by = Object.fromEntries(rows.map((r) => [r.variant, r])) as Record<RaceRow["variant"], RaceRow>;
  const lostPct = (100 * by.unlocked.lost) / expected;
  const lesson =
    (by.unlocked.lost > 0
      ? `Without a lock, ${threads} threads lost ${by.unlocked.lost.toLocaleString("en-US")} of ${expected.toLocaleString("en-US")} increments (${lostPct.toFixed(1)}%): two threads read the same value and both write value + 1. `
      : `Without a lock the count came out exact this time (${threads} threads did not interleave); run again, the race is real but not guaranteed. `) +
    `A Lock makes it exact and takes ${fmt(by.lock.ms / Math.max(0.1, by.unlocked.ms), 1)}× the unlocked loop's time; an atomic add is exact in ${fmt(by.atomic.ms / Math.max(0.1, by.unlocked.ms), 1)}× (shared memory buys sharing; keeping it correct costs a lock or an atomic). ` +
    `Processes cannot share the counter at all (shared memory is refused); they count privately and send their results back — copied.`;
  return { threads, perThread, rows, processRefusal, lesson };
}

// ----- embedding: a server that offloads its CPU-heavy endpoint ---------------------------------

export interface EmbedServerOptions {
  mode: "inline" | "pool";
  heavyN: number;
  port: number;
  pool?: Pool<Tasks>;
}

/** The embedding demo's server: `/cheap` answers at once, `/heavy` counts primes inline or on the pool. */
export async function startEmbedServer(tasks: Tasks, options: EmbedServerOptions) {
  const { pool, heavyN } = options;
  return serve(async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/cheap") return new Response("ok");
    if (path === "/heavy") {
      const primes = options.mode === "pool" && pool ? await pool.apply("countPrimes", [0, heavyN]) : tasks.countPrimes(0, heavyN);
      return new Response(String(primes));
    }
    return new Response("try /cheap or /heavy", { status: 404 });
  }, options.port);
}

async function embedding(tasks: Tasks, options: DemoOptions): Promise<EmbedReport> {
  const heavyN = options.quick ? 600_000 : 1_000_000;
  const heavyRequests = options.quick ? 4 : 8;
  const rows: EmbedRow[] = [];
  for (const mode of ["inline", "pool"] as const) {
    const pool = mode === "pool" ? new Pool<Tasks>({ kind: "thread", size: options.workers, module: TASKS_URL }) : undefined;
    const server = await startEmbedServer(tasks, { mode, heavyN, port: 0, pool });
    try {
      if (pool) await Promise.all(Array.from({ length: pool.size }, () => pool.apply("noop", [])));
      // The client runs on its own thread, so the server's blocking cannot delay its clock.
      const progress = new Progress(`embedding: ${mode}`, 1);
      const client = new Thread({ module: TASKS_URL, target: "loadAndProbe", args: [server.url, heavyRequests, 5] as never, workerOptions: LOOPBACK }).start();
      const probe = (await client.join()) as TaskModule.ProbeReport;
      progress.end();
      const sorted = [...probe.latencies].sort((a, b) => a - b);
      const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
      rows.push({
        mode,
        label: mode === "inline" ? "heavy work on the server's event loop" : `heavy work offloaded to a thread pool (${options.workers})`,
        heavyRequests,
        heavyMs: probe.heavyMs,
        probes: sorted.length,
        cheapP50: pct(0.5),
        cheapP95: pct(0.95),
        cheapMax: sorted[sorted.length - 1] ?? 0,
      });
    } finally {
      await server.close();
      await pool?.close();
    }
  }
  const [inline, pooled] = rows as [EmbedRow, EmbedRow];
  const lesson =
    `With the heavy endpoint computing on the event loop, the cheap endpoint waited up to ${Math.round(inline.cheapMax)} ms (median ${fmt(inline.cheapP50, 1)} ms); ` +
    `offloaded to a pool, it answered in a median ${fmt(pooled.cheapP50, 1)} ms (max ${Math.round(pooled.cheapMax)} ms) while the same ${heavyRequests} heavy requests took ` +
    `${Math.round(pooled.heavyMs)} ms instead of ${Math.round(inline.heavyMs)} ms. An event loop serves waits; give its computation to workers.`;
  return { heavyN, poolKind: "thread", poolSize: options.workers, rows, lesson };
}
