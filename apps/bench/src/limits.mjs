// How close weft comes to its limits (issue 28): each row is a ratio to a peer measured in the
// same run — piscina, the raw transport (a bare postMessage echo, a bare fork ping-pong, a bare
// Worker or fork), Python — with the row's target. `--check` exits 1 when a row misses its
// target, so that a regression shows. Speed targets live here, never in timed unit tests.
//
// Usage: node src/limits.mjs [--quick] [--check] [--only=roundtrip,hog,throughput,map,starts,runtimes]
//   roundtrip   `await pool.apply()` one at a time (2 workers, a no-op), interleaved rounds with piscina and the raw floors
//   hog         the same thread rows with a CPU hog beside them: `node -e 'for(;;){}'`, one process
//   throughput  100,000 tiny tasks submitted at once, threads, against piscina
//   map         Pool.map of 1M no-op items, automatic chunks, threads and processes, against Python's Pool.map
//   starts      Process and Thread start + join of a no-op against a raw fork and a raw Worker; a forkserver Process
//   runtimes    Deno and Bun: the thread round trip and the starts, each against its own raw floor (no targets)
import { execFileSync, fork, spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { Pool, Process, Thread } from "@weft/node";
import { makePeer } from "./node-peers.mjs";
import { summary, table } from "./stats.mjs";
import { runtimeLimits } from "./cross-runtime/limits-run.mjs";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const check = args.includes("--check");
const only = args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const wanted = (section) => !only || only.includes(section);
const TASKS = new URL("./tasks.mjs", import.meta.url);
const ROUNDS = quick ? 4 : 8;
const PER_ROUND = quick ? 500 : 1000;
const WARM = quick ? 2000 : 4000;
const rows = [];

/** One row: weft's figure, the peer's, the ratio weft/peer and the target on that ratio. */
function row(section, name, weft, peerName, peer, target, unit) {
  const ratio = weft.median / peer.median;
  const met = target === undefined ? undefined : target.atMost !== undefined ? ratio <= target.atMost : ratio >= target.atLeast;
  rows.push({ section, name, weft, peerName, peer, ratio, target, met, unit });
}

const fmtValue = (s, unit) => (unit === "M/s" ? `${(s.median / 1e6).toFixed(2)}M (${(s.min / 1e6).toFixed(2)}–${(s.max / 1e6).toFixed(2)})` : `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`);
const fmtTarget = (t) => (t === undefined ? "—" : t.atMost !== undefined ? `≤ ${t.atMost}×` : t.atLeast !== undefined ? `≥ ${t.atLeast}×` : "—");

/** Microseconds per call of `count` sequential calls. */
async function sequential(run, count) {
  const start = performance.now();
  for (let i = 0; i < count; i++) await run(i);
  return ((performance.now() - start) * 1000) / count;
}

/** Every subject warmed up (the JIT settles after a few thousand calls), then measured in interleaved rounds. */
async function interleaved(subjects) {
  for (const s of subjects) await sequential(s.run, WARM);
  const values = Object.fromEntries(subjects.map((s) => [s.name, []]));
  for (let round = 0; round < ROUNDS; round++) for (const s of subjects) values[s.name].push(await sequential(s.run, PER_ROUND));
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, summary(v)]));
}

function rawEcho() {
  const worker = new Worker("const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m));", { eval: true });
  let resolve;
  worker.on("message", (m) => resolve(m));
  return { name: "raw postMessage", run: (i) => new Promise((r) => ((resolve = r), worker.postMessage(i))), close: () => worker.terminate() };
}

function scratchFile(name, text) {
  const path = join(tmpdir(), `weft-limits-${process.pid}-${name}`);
  writeFileSync(path, text);
  return path;
}

function rawForkEcho() {
  const child = fork(scratchFile("echo.cjs", "process.on('message', (m) => process.send(m));"), [], { serialization: "advanced" });
  let resolve;
  child.on("message", (m) => resolve(m));
  return { name: "raw fork ping-pong", run: (i) => new Promise((r) => ((resolve = r), child.send(i))), close: () => child.kill() };
}

function weftSubject(name, kind, extra = {}) {
  const pool = new Pool({ kind, size: 2, module: TASKS, ...extra });
  return { name, run: (i) => pool.apply("echo", [i]), close: () => pool.close() };
}

async function piscinaSubject() {
  const peer = await makePeer("piscina", 2);
  return { name: "piscina", run: peer.run, close: peer.close };
}

/** The CPU hog the loaded rows run beside: one Node process spinning for ever. */
function startHog() {
  return spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" });
}

// ---------------------------------------------------------------------------------------------
async function roundTrips(section, hogged) {
  const subjects = [
    weftSubject("weft thread", "thread"),
    weftSubject("weft thread, spinWait 100", "thread", { spinWait: 100 }),
    // For information: what capturing each caller's stack (V8's frame walk, ~5 µs) costs the round trip.
    weftSubject("weft thread, captureCallerStack false", "thread", { captureCallerStack: false }),
    await piscinaSubject(),
    rawEcho(),
  ];
  if (!hogged) subjects.push(weftSubject("weft process", "process"), rawForkEcho());
  const hog = hogged ? startHog() : undefined;
  let r;
  try {
    r = await interleaved(subjects);
  } finally {
    hog?.kill();
    for (const s of subjects) await s.close();
  }
  const where = hogged ? "a CPU hog beside it" : "quiet";
  row(section, `round trip, thread pool (${where}), µs`, r["weft thread"], "piscina", r.piscina, { atMost: 1.0 });
  row(section, `round trip, thread pool (${where}), µs`, r["weft thread"], "raw postMessage", r["raw postMessage"], hogged ? undefined : { atMost: 1.2 });
  row(section, `round trip, captureCallerStack: false (${where}), µs`, r["weft thread, captureCallerStack false"], "piscina", r.piscina, undefined);
  row(section, `round trip, spinWait 100 (${where}), µs`, r["weft thread, spinWait 100"], "weft default", r["weft thread"], { atMost: 1.0 });
  if (!hogged) row(section, "round trip, process pool, µs", r["weft process"], "raw fork ping-pong", r["raw fork ping-pong"], undefined);
}

async function throughput() {
  const n = quick ? 20_000 : 100_000;
  const burst = (run) => async () => {
    const start = performance.now();
    const pending = new Array(n);
    for (let i = 0; i < n; i++) pending[i] = run(i);
    await Promise.all(pending);
    return n / ((performance.now() - start) / 1000);
  };
  const weft = weftSubject("weft", "thread");
  const piscina = await piscinaSubject();
  const values = { weft: [], piscina: [] };
  await burst(weft.run)();
  await burst(piscina.run)();
  for (let i = 0; i < (quick ? 3 : 5); i++) {
    values.weft.push(await burst(weft.run)());
    values.piscina.push(await burst(piscina.run)());
  }
  await weft.close();
  await piscina.close();
  row("throughput", `tiny tasks, thread pool, ${n} at once, tasks/s`, summary(values.weft), "piscina", summary(values.piscina), { atLeast: 3.0 });
}

function pythonMap(n, reps) {
  if (spawnSync("python3", ["--version"]).status !== 0) return undefined;
  const out = execFileSync("python3", [new URL("./python_pool.py", import.meta.url).pathname, String(n), String(reps), "map"], { encoding: "utf8" });
  return summary(JSON.parse(out).map_default);
}

async function maps() {
  const n = 1_000_000;
  const reps = quick ? 3 : 5;
  const items = Array.from({ length: n }, (_, i) => i);
  const python = pythonMap(n, reps);
  for (const kind of ["thread", "process"]) {
    const pool = new Pool({ kind, size: 2, module: TASKS });
    await pool.map("echo", items);
    const values = [];
    for (let i = 0; i < reps; i++) {
      const start = performance.now();
      await pool.map("echo", items);
      values.push(n / ((performance.now() - start) / 1000));
    }
    await pool.close();
    if (python) row("map", `Pool.map of 1M no-op items, auto chunks, ${kind}s, items/s`, summary(values), "Python Pool.map", python, { atLeast: 1.5 }, "M/s");
    else console.log("   python3 not found: the map rows are left out");
  }
}

async function starts() {
  const reps = quick ? 5 : 9;
  const noopChild = scratchFile("noop.cjs", "process.send('done', () => process.exit(0));");
  const rawFork = () => new Promise((resolve) => fork(noopChild, [], { serialization: "advanced" }).on("exit", resolve));
  const rawWorker = () =>
    new Promise((resolve) => {
      const worker = new Worker("require('node:worker_threads').parentPort.postMessage(1)", { eval: true });
      worker.on("message", () => void worker.terminate());
      worker.on("exit", resolve);
    });
  const noop = () => 1;
  const subjects = {
    "raw fork": rawFork,
    "weft Process": () => new Process({ target: noop }).start().join(),
    "raw Worker": rawWorker,
    "weft Thread": () => new Thread({ target: noop }).start().join(),
  };
  const times = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
  for (const run of Object.values(subjects)) await run();
  for (let i = 0; i < reps; i++) {
    for (const [name, run] of Object.entries(subjects)) {
      const start = performance.now();
      await run();
      times[name].push(performance.now() - start);
    }
  }
  // forkserver: a program that starts a short Process now and then (here every 300 ms, time
  // enough for the spare to boot) pays only the hand-over, the task and the exit.
  const spared = [];
  const forkserver = typeof Process.setStartMethod === "function"; // absent before issue 28
  if (forkserver) await new Process({ target: noop, startMethod: "forkserver" }).start().join();
  for (let i = 0; forkserver && i < reps; i++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const start = performance.now();
    await new Process({ target: noop, startMethod: "forkserver" }).start().join();
    spared.push(performance.now() - start);
  }
  const s = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summary(v)]));
  row("starts", "Process start + join of a no-op, ms", s["weft Process"], "raw fork", s["raw fork"], { atMost: 1.1 });
  row("starts", "Thread start + join of a no-op, ms", s["weft Thread"], "raw Worker", s["raw Worker"], { atMost: 1.2 });
  // The forkserver target is absolute (≤ 20 ms): its ratio is to 20 ms, shown beside the raw fork.
  if (forkserver) row("starts", "forkserver Process start + join (spare ready), ms", summary(spared), "20 ms", summary([20]), { atMost: 1.0 });
}

async function runtimes() {
  for (const result of await runtimeLimits({ quick, log: (line) => console.error(line) })) {
    if (result.skip) {
      console.log(`   ${result.runtime}: ${result.skip}`);
      continue;
    }
    const r = result.report;
    row("runtimes", `${result.runtime}: round trip, thread pool, µs`, summary(r.weftThread), "raw postMessage", summary(r.rawEcho), undefined);
    row("runtimes", `${result.runtime}: Process start + join, ms`, summary(r.weftProcess), "raw spawn", summary(r.rawSpawn), undefined);
    row("runtimes", `${result.runtime}: Thread start + join, ms`, summary(r.weftThread0), "raw Worker", summary(r.rawWorker), undefined);
    row("runtimes", `${result.runtime}: forkserver Process start + join (spare ready), ms`, summary(r.forkserver), "20 ms", summary([20]), undefined);
  }
}

// ---------------------------------------------------------------------------------------------
const load = () => (process.platform === "linux" ? execFileSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).split(" ").slice(0, 3).join(" ") : "n/a");
console.log(`weft's limits on Node ${process.version} (load average at the start: ${load()})${quick ? ", quick" : ""}`);
if (wanted("roundtrip")) await roundTrips("roundtrip", false);
if (wanted("hog")) await roundTrips("hog", true);
if (wanted("throughput")) await throughput();
if (wanted("map")) await maps();
if (wanted("starts")) await starts();
if (wanted("runtimes")) await runtimes();
table(
  `Close to the limit: median (min–max) of the rounds; ratio = weft / peer, same run (load average at the end: ${load()})`,
  ["row", "weft", "peer", "peer figure", "ratio", "target", "met"],
  rows.map((r) => [r.name, fmtValue(r.weft, r.unit), r.peerName, fmtValue(r.peer, r.unit), `${r.ratio.toFixed(2)}×`, fmtTarget(r.target), r.met === undefined ? "—" : r.met ? "✓" : "✗"]),
);
const missed = rows.filter((r) => r.met === false);
if (check && missed.length > 0) {
  console.log(`\n--check: ${missed.length} row(s) missed their target: ${missed.map((r) => `${r.name} vs ${r.peerName}`).join("; ")}`);
  process.exit(1);
}
process.exit(0);
