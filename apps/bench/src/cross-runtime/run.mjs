#!/usr/bin/env node
// Runs the cross-runtime benchmark (bench.mjs, the same code everywhere) under node, deno and bun
// (entry.mjs as a child process of each) and in headless Chromium (page.mjs on a page served
// cross-origin isolated), one runtime after the other, then prints one table — runtime × kind ×
// measure, with each runtime's ratio to Node in this same run — and writes
// results/bench-runtimes.json. A runtime that cannot run gets one line saying why; the others go on.
//
// Usage: node src/cross-runtime/run.mjs [--quick] [--runtimes=node,deno,deno-pipe,bun,chromium] [--only=channel,throughput,...]
//        [--rounds=N] (the channel rows: N rounds, the runtimes alternating; default 3)
//        (--smoke: tiny sizes, checks the wiring only; its figures mean nothing)
// Also called by src/main.mjs as its section 7 (runAll).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CHANNEL_ROWS, MARKER, KINDS, plan } from "./bench.mjs";
import { fmt, median, spread, table } from "../stats.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const BENCH_DIR = resolve(HERE, "../..");
const REPO = resolve(BENCH_DIR, "../..");
const ENTRY = join(HERE, "entry.mjs");
export const RUNTIMES = ["node", "deno", "deno-pipe", "bun", "chromium"];

/**
 * Rows measured for information, without a target: "deno-pipe" is Deno on a host without write
 * and net permission, where process workers send over their stdout (a 64 KB pipe) instead of a
 * Unix socket (see @weft/deno's README, "Process transport").
 */
const NO_TARGET = new Set(["deno-pipe"]);

/** A binary from node_modules/.bin (deno and bun come from npm), looked up from apps/bench upwards. */
function npmBinary(name) {
  for (let dir = BENCH_DIR; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", ".bin", name);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** How each command-line runtime runs `entry` (entry.mjs by default): [binary, args] or { skip: reason }. */
export function commandFor(runtime, childArgs, entry = ENTRY) {
  if (runtime === "node") return [process.execPath, [entry, ...childArgs]];
  const name = runtime === "deno-pipe" ? "deno" : runtime;
  const binary = npmBinary(name);
  if (!binary) return { skip: `no ${name} binary in node_modules/.bin (run npm install at the repo root, with its install script allowed)` };
  if (name === "deno") {
    // Thread workers get their (empty) Deno permissions through the unstable Worker option; the
    // program reads its modules and starts `deno run` children (the process pool). The workers
    // themselves need no permission: the task module imports nothing. With write and net as
    // well, as Node and Bun have them, process workers send over a Unix socket; "deno-pipe"
    // leaves them out, so its process workers send over their stdout.
    return [binary, [
      "run", "--no-prompt", "--no-lock", "--node-modules-dir=manual", "--unstable-worker-options",
      "--allow-read", `--allow-run=${realpathSync(binary)}`, ...(runtime === "deno" ? ["--allow-write", "--allow-net"] : []), entry, ...childArgs,
    ]];
  }
  return [binary, ["run", entry, ...childArgs]]; // bun: no flags
}

function lastLine(text) {
  const lines = text.split("\n").map((l) => l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").trim()).filter(Boolean);
  return lines.at(-1) ?? "";
}

/** Runs one command-line runtime; resolves { report } or { skip }. */
function runChild(runtime, childArgs, timeoutMs, log) {
  const command = commandFor(runtime, childArgs);
  if (!Array.isArray(command)) return Promise.resolve(command);
  const [binary, args] = command;
  return new Promise((resolveRun) => {
    const child = spawn(binary, args, { cwd: BENCH_DIR, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });
    let stdout = "";
    let stderr = "";
    let pending = "";
    let timedOut = false;
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => {
      const text = chunk.toString();
      stderr = (stderr + text).slice(-8000);
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) log(`   [${runtime}] ${line}`);
    });
    const watchdog = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(watchdog);
      resolveRun({ skip: `could not start ${binary}: ${error.message}` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(watchdog);
      if (pending.trim()) log(`   [${runtime}] ${pending}`);
      const line = stdout.split("\n").find((l) => l.startsWith(MARKER));
      if (timedOut) return resolveRun({ skip: `did not finish within ${timeoutMs / 1000} s (killed)` });
      if (code !== 0 || !line) {
        return resolveRun({ skip: `exited with ${signal ?? `code ${code}`}${line ? "" : " without a report"}: ${lastLine(stderr) || "(no message)"}` });
      }
      try {
        resolveRun({ report: JSON.parse(line.slice(MARKER.length)) });
      } catch (error) {
        resolveRun({ skip: `printed a report that is not JSON (${error.message})` });
      }
    });
  });
}

/** The page: an import map sends `weftjs` to the built browser adapter (the worker entries need none). */
function benchPage() {
  const imports = {
    weftjs: "/packages/weft/dist/browser.js",
    "@weft/browser": "/packages/browser/dist/index.js",
    "@weft/core": "/packages/core/dist/index.js",
    "@weft/core/adapter": "/packages/core/dist/adapter.js",
    "@weft/core/transport": "/packages/core/dist/transport.js",
    "@weft/core/testing": "/packages/core/dist/testing.js",
  };
  return `<!doctype html>
<meta charset="utf-8">
<title>weft cross-runtime benchmark</title>
<script type="importmap">${JSON.stringify({ imports })}</script>
<script type="module" src="/apps/bench/src/cross-runtime/page.mjs"></script>
`;
}

/** Runs the page in headless Chromium (found and launched by packages/chromium, as the browser tests do). */
async function runChromium(childArgs, timeoutMs, log) {
  const needed = ["packages/weft/dist/browser.js", "packages/browser/dist/index.js", "packages/browser/dist/thread-entry.js", "packages/browser/dist/process-entry.js", "packages/core/dist/index.js"];
  const missing = needed.filter((file) => !existsSync(join(REPO, file)));
  if (missing.length) return { skip: `not built (npm run build at the repo root); missing ${missing.join(", ")}` };
  let launchChromium;
  let serve;
  try {
    ({ launchChromium } = await import(pathToFileURL(join(REPO, "packages/chromium/chromium.mjs")).href));
    ({ serve } = await import(pathToFileURL(join(REPO, "packages/browser/scripts/serve.mjs")).href));
  } catch (error) {
    return { skip: `cannot load packages/browser/scripts (${error.message})` };
  }
  let launched;
  try {
    launched = await launchChromium();
  } catch (error) {
    return { skip: lastLine(String(error instanceof Error ? error.message.split("\n")[0] : error)) };
  }
  const { browser, executablePath, source } = launched;
  log(`   [chromium] Chromium ${browser.version()} from ${source}: ${executablePath}`);
  const server = await serve({ root: REPO, pages: { "/bench-runtimes.html": benchPage() }, isolated: true });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    let finish;
    const finished = new Promise((resolveRun) => (finish = resolveRun));
    await page.exposeFunction("weftBenchLog", (line) => log(`   [chromium] ${line}`));
    await page.exposeFunction("weftBenchDone", (report) => finish(report));
    page.on("pageerror", (error) => finish({ error: `page error: ${error.message}` }));
    page.on("crash", () => finish({ error: "the page crashed" }));
    const timer = setTimeout(() => finish({ error: `did not finish within ${timeoutMs / 1000} s` }), timeoutMs);
    const query = new URLSearchParams({ quick: childArgs.includes("--quick") ? "1" : "0", smoke: childArgs.includes("--smoke") ? "1" : "0" });
    const only = childArgs.find((a) => a.startsWith("--only="));
    if (only) query.set("only", only.slice("--only=".length));
    await page.goto(`${server.url}/bench-runtimes.html?${query}`);
    const report = await finished;
    clearTimeout(timer);
    await context.close();
    if (report.error) return { skip: report.error };
    if (!report.crossOriginIsolated) log("   [chromium] warning: the page is not cross-origin isolated");
    report.version = browser.version();
    return { report };
  } finally {
    await browser.close();
    await server.close();
  }
}

// ----- the table ---------------------------------------------------------------------------------

/** [label, direction, the measure's key in a kind's results, pick(result) → summary, digits] */
const MEASURES = [
  ["throughput, tasks/s", "higher is better", "throughput", (r) => r, 0],
  ["latency median, µs", "lower is better", "latency", (r) => r.median, 1],
  ["latency p99, µs", "lower is better", "latency", (r) => r.p99, 1],
  ["speedup 2 workers vs 1", "higher is better", "speedup", (r) => r.speedup, 2],
  ["start-up of a pool of 2, ms", "lower is better", "startup", (r) => r, 1],
  ["multiprocessing.Queue worker → main, items/s", "higher is better", "channel", (r) => r.queueOut, 0],
  ["multiprocessing.Pipe worker → main, items/s", "higher is better", "channel", (r) => r.pipeOut, 0],
  ["multiprocessing.Queue main → worker, items/s", "higher is better", "channel", (r) => r.queueIn, 0],
];

/** "Deno/Node": how a ratio cell names itself, so that a row read alone says what it compares. */
function ratioName(runtime) {
  const title = (name) => name[0].toUpperCase() + name.slice(1);
  return runtime === "deno-pipe" ? "Deno (pipe)/Node" : `${title(runtime)}/Node`;
}

/** Issue 16's cross-runtime target for the channel rows: every runtime within 1.5× of Node's items/s. */
const CHANNEL_TARGET = 1 / 1.5;

/** One line per runtime: its channel ratios against the target (n/a rows left out). */
function channelTargetLines(ratios) {
  const lines = [];
  for (const [runtime, byRow] of Object.entries(ratios)) {
    if (runtime === "node") continue;
    const rows = Object.entries(byRow).filter(([row]) => row.includes("items/s"));
    if (rows.length === 0) continue;
    const missed = rows.filter(([, ratio]) => ratio < CHANNEL_TARGET);
    const worst = Math.min(...rows.map(([, ratio]) => ratio));
    if (NO_TARGET.has(runtime)) {
      lines.push(`   ${ratioName(runtime)} channels: worst ${worst.toFixed(2)}× (for information: process workers over a 64 KB pipe, on a host without write and net permission)`);
      continue;
    }
    lines.push(
      `   ${ratioName(runtime)} channels: worst ${worst.toFixed(2)}× — target ≥ ${CHANNEL_TARGET.toFixed(2)}× (within 1.5× of Node) ` +
        (missed.length === 0 ? "met on every row" : `missed on ${missed.map(([row]) => row.replace(/, items\/s$/, "")).join("; ")}`),
    );
  }
  return lines;
}

function tableRows(reports, only) {
  const rows = [];
  const ratios = {};
  for (const [label, direction, key, pick, digits] of MEASURES) {
    if (only && !only.includes(key)) continue;
    for (const [kindIndex, kind] of KINDS.entries()) {
      const summaryOf = (report) => {
        const result = report.kinds[kind]?.[key];
        return result && !result.error ? pick(result) : undefined;
      };
      const base = reports.node ? summaryOf(reports.node) : undefined;
      let first = true;
      for (const [runtime, report] of Object.entries(reports)) {
        const s = summaryOf(report);
        const value = s ? spread(s, digits) : `failed: ${String(report.kinds[kind]?.[key]?.error ?? "no result").slice(0, 70)}`;
        const ratio = s && base ? s.median / base.median : undefined;
        if (ratio !== undefined) ((ratios[runtime] ??= {})[`${kind} ${label}`] = ratio);
        rows.push([first && kindIndex === 0 ? `${label} (${direction})` : "", first ? kind : "", runtime, value, ratio === undefined ? "n/a" : `${ratioName(runtime)} ${ratio.toFixed(2)}×`]);
        first = false;
      }
    }
  }
  return { rows, ratios };
}

/** The share of all cores busy over one second (other work running would skew every figure). */
async function busyFraction(ms = 1000) {
  const total = () => cpus().reduce((acc, cpu) => {
    const t = cpu.times;
    acc.idle += t.idle;
    acc.all += t.user + t.nice + t.sys + t.irq + t.idle;
    return acc;
  }, { idle: 0, all: 0 });
  const before = total();
  await new Promise((r) => setTimeout(r, ms));
  const after = total();
  const all = after.all - before.all;
  return all > 0 ? 1 - (after.idle - before.idle) / all : 0;
}

/** Runs the benchmark on one runtime; resolves { report } or { skip: why }, never rejects. */
async function runOn(runtime, args, timeoutMs, log) {
  try {
    return runtime === "chromium" ? await runChromium(args, timeoutMs, log) : await runChild(runtime, args, timeoutMs, log);
  } catch (error) {
    return { skip: `the launcher failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` };
  }
}

/**
 * One summary from a channel row's rounds: the median of the rounds' medians, the extremes of all.
 * Runtimes run one after another, and a machine whose load drifts over a sitting moved one
 * runtime's median against another's by up to 1.5× in a single round; alternating the runtimes
 * over several rounds spreads that drift over all of them.
 */
function mergeRounds(rounds) {
  const medians = rounds.map((s) => s.median);
  const values = rounds.flatMap((s) => s.values ?? []);
  return { median: median(medians), min: Math.min(...rounds.map((s) => s.min)), max: Math.max(...rounds.map((s) => s.max)), runs: values.length, values, rounds: medians };
}

/** Runs the channel rows `rounds - 1` more times on every runtime that reported, alternating, and merges them in. */
async function channelRounds(reports, rounds, { quick, smoke, timeoutMs, log }) {
  const args = [...(quick ? ["--quick"] : []), ...(smoke ? ["--smoke"] : []), "--only=channel"];
  const extra = {};
  for (let round = 2; round <= rounds; round++) {
    log(` channel rows, round ${round} of ${rounds}: ${Object.keys(reports).join(", ")}`);
    for (const runtime of Object.keys(reports)) {
      const outcome = await runOn(runtime, args, timeoutMs, log);
      if (!outcome.report) {
        log(`   ${runtime}: round ${round} of the channel rows failed — ${outcome.skip}`);
        continue;
      }
      for (const kind of KINDS) {
        const channel = outcome.report.kinds[kind]?.channel;
        if (channel && !channel.error) (((extra[runtime] ??= {})[kind] ??= [])).push(channel);
      }
    }
  }
  for (const [runtime, byKind] of Object.entries(extra)) {
    for (const [kind, others] of Object.entries(byKind)) {
      const first = reports[runtime].kinds[kind]?.channel;
      if (!first || first.error) continue;
      for (const row of CHANNEL_ROWS) {
        const all = [first[row], ...others.map((channel) => channel[row])].filter(Boolean);
        first[row] = mergeRounds(all);
      }
    }
  }
}

/**
 * Runs the benchmark on each runtime in turn, prints the table and writes results/bench-runtimes.json.
 * Resolves the written report.
 */
export async function runAll({ quick = false, smoke = false, only, runtimes = RUNTIMES, rounds = 3, title, log = (line) => console.log(line) } = {}) {
  const p = plan(quick, smoke);
  const childArgs = [...(quick ? ["--quick"] : []), ...(smoke ? ["--smoke"] : []), ...(only ? [`--only=${only.join(",")}`] : [])];
  const timeoutMs = smoke ? 60_000 : quick ? 180_000 : 900_000;
  const reports = {};
  const skipped = [];
  const started = performance.now();
  const busy = await busyFraction();
  if (busy > 0.25) log(`\n(the machine was ${Math.round(busy * 100)}% busy just before the start: other work running now makes these figures noisy)`);
  log(`\nweft on every runtime${quick ? " (quick)" : ""}${smoke ? " (smoke: wiring only, figures mean nothing)" : ""}: ${runtimes.join(", ")}`);
  for (const runtime of runtimes) {
    const runtimeStarted = performance.now();
    log(` ${runtime}…`);
    const outcome = await runOn(runtime, childArgs, timeoutMs, log);
    if (outcome.report) {
      reports[runtime] = outcome.report;
      log(` ${runtime}: done in ${((performance.now() - runtimeStarted) / 1000).toFixed(1)} s`);
    } else {
      skipped.push({ runtime, reason: outcome.skip });
      log(` ${runtime}: cannot run — ${outcome.skip}`);
    }
  }
  const channelRoundsRun = smoke || (only && !only.includes("channel")) ? 1 : rounds;
  if (channelRoundsRun > 1) await channelRounds(reports, channelRoundsRun, { quick, smoke, timeoutMs, log });
  const { rows, ratios } = tableRows(reports, only);
  const heading = title ?? "Every runtime";
  const versions = Object.entries(reports).map(([runtime, r]) => `${runtime} ${r.version}`).join(", ");
  table(
    `${heading}: the same benchmark on each runtime, pools of weft's own adapter (median (min–max) of ${p.reps}; ratio = runtime / node, same run)\n` +
      `   ${fmt(p.throughputTasks)} echo tasks at once on 2 workers; ${fmt(p.latencyTasks)} sequential echoes on 1 worker; ` +
      `${p.chunks} chunks of countPrimes(${fmt(p.primeChunk)} numbers) on 1 vs 2 workers; a pool of 2 until its first task; ` +
      `${fmt(p.channelItems ?? 0)} items through a Queue, a Pipe (worker → main) and a Queue (main → worker)${p.channelReps ? ` (median of ${p.channelReps} runs after ${p.channelWarmups} warm-up runs${channelRoundsRun > 1 ? `; then the median of ${channelRoundsRun} such rounds, the runtimes alternating` : ""})` : ""}\n` +
      `   ${versions || "no runtime ran"}`,
    ["measure", "kind", "runtime", "median (min–max)", "ratio to node"],
    rows,
  );
  for (const { runtime, reason } of skipped) log(`   ${runtime}: not measured — ${reason}`);
  // A smoke run's figures mean nothing: no verdict on them.
  if (!smoke) for (const line of channelTargetLines(ratios)) log(line);
  // A speedup above the worker count cannot come from parallelism: the pool of 1 ran slow. Say so.
  for (const [runtime, report] of Object.entries(reports)) {
    for (const kind of KINDS) {
      const result = report.kinds[kind]?.speedup;
      if (!result?.speedup || result.speedup.median <= 2.1) continue;
      const base = reports.node?.kinds[kind]?.speedup?.serialMs?.median;
      log(
        `   ${runtime} ${kind}s: a speedup of ${result.speedup.median.toFixed(2)} on 2 workers is not parallelism — the pool of 1 ran slow ` +
          `(serial ${result.serialMs.median.toFixed(0)} ms, parallel ${result.parallelMs.median.toFixed(0)} ms${base ? `; node serial ${base.toFixed(0)} ms` : ""})`,
      );
    }
  }
  if (reports.chromium) log("   chromium: performance.now() is coarsened to 5 µs on a cross-origin isolated page (latency figures are quantised)");
  const output = {
    date: new Date().toISOString(),
    quick,
    smoke,
    plan: p,
    channelRounds: channelRoundsRun,
    machine: { cpus: reports.node?.cpus, launcher: `node ${process.version}`, busyBeforeStart: busy },
    seconds: Math.round((performance.now() - started) / 1000),
    runtimes: reports,
    skipped,
    ratiosVsNode: ratios,
  };
  const dir = join(REPO, "results");
  mkdirSync(dir, { recursive: true });
  // A smoke run only checks the wiring: it must not overwrite the real figures.
  // Nor may a run of some measures only (--only).
  const file = smoke ? "bench-runtimes-smoke.json" : only ? `bench-runtimes-${only.join("-")}.json` : "bench-runtimes.json";
  writeFileSync(join(dir, file), JSON.stringify(output, null, 2));
  log(`\nWritten to results/${file} (${output.seconds} s in all)`);
  return output;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const chosen = args.find((a) => a.startsWith("--runtimes="))?.slice("--runtimes=".length).split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = chosen?.filter((r) => !RUNTIMES.includes(r)) ?? [];
  if (unknown.length) {
    console.error(`unknown runtime(s) ${unknown.join(", ")}: choose from ${RUNTIMES.join(", ")}`);
    process.exit(2);
  }
  const only = args.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");
  const roundsArg = args.find((a) => a.startsWith("--rounds="))?.slice("--rounds=".length);
  const rounds = roundsArg === undefined ? 3 : Number(roundsArg);
  if (!Number.isInteger(rounds) || rounds < 1) {
    console.error(`--rounds must be a whole number of at least 1; got ${roundsArg}`);
    process.exit(2);
  }
  await runAll({ quick: args.includes("--quick"), smoke: args.includes("--smoke"), only, runtimes: chosen ?? RUNTIMES, rounds });
}
