// The runtime-neutral half of src/limits.mjs's "runtimes" rows, run under deno and bun (see
// limits-run.mjs): weft's thread round trip and its Process / Thread starts, each beside the
// runtime's own raw floor (a Web Worker echo, a bare Worker, a bare spawn of the runtime).
// Prints one JSON line after MARKER on stdout. Usage: <runtime> limits-entry.mjs [--quick]
import { Pool, Process, Thread } from "weftjs";
import { MARKER } from "./bench.mjs";

const g = globalThis;
const args = g.Deno ? g.Deno.args : g.process.argv.slice(2);
const quick = args.includes("--quick");
const TASKS = new URL("../tasks.mjs", import.meta.url);
const ECHO = new URL("./echo-worker.mjs", import.meta.url);
const ROUNDS = quick ? 4 : 8;
const PER_ROUND = quick ? 500 : 1000;
const WARM = quick ? 2000 : 4000;
const REPS = quick ? 5 : 9;

async function sequential(run, count) {
  const start = performance.now();
  for (let i = 0; i < count; i++) await run(i);
  return ((performance.now() - start) * 1000) / count;
}

async function timed(run) {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** A bare start of this runtime that runs nothing, until it has exited. */
function rawSpawn() {
  if (g.Deno) return new g.Deno.Command(g.Deno.execPath(), { args: ["eval", "0"], stdout: "null", stderr: "null" }).output();
  return g.Bun.spawn([g.process.execPath, "-e", "0"], { stdout: "ignore", stderr: "ignore" }).exited;
}

function rawWorker() {
  return new Promise((resolve) => {
    const worker = new Worker(ECHO, { type: "module" });
    worker.onmessage = () => {
      worker.terminate();
      resolve();
    };
    worker.postMessage(1);
  });
}

const pool = new Pool({ kind: "thread", size: 2, module: TASKS });
const echo = new Worker(ECHO, { type: "module" });
let answer;
echo.onmessage = (event) => answer(event.data);
const subjects = { weftThread: (i) => pool.apply("echo", [i]), rawEcho: (i) => new Promise((r) => ((answer = r), echo.postMessage(i))) };
const report = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (const run of Object.values(subjects)) await sequential(run, WARM);
for (let round = 0; round < ROUNDS; round++) for (const [name, run] of Object.entries(subjects)) report[name].push(await sequential(run, PER_ROUND));
await pool.close();
echo.terminate();

const noop = () => 1;
const starts = {
  rawSpawn,
  weftProcess: () => new Process({ target: noop }).start().join(),
  rawWorker,
  weftThread0: () => new Thread({ target: noop }).start().join(),
};
for (const name of Object.keys(starts)) report[name] = [];
for (const run of Object.values(starts)) await run();
for (let i = 0; i < REPS; i++) for (const [name, run] of Object.entries(starts)) report[name].push(await timed(run));
report.forkserver = [];
await new Process({ target: noop, startMethod: "forkserver" }).start().join();
for (let i = 0; i < REPS; i++) {
  await new Promise((resolve) => setTimeout(resolve, 300));
  report.forkserver.push(await timed(() => new Process({ target: noop, startMethod: "forkserver" }).start().join()));
}

const line = `${MARKER}${JSON.stringify(report)}\n`;
if (g.Deno) {
  const bytes = new TextEncoder().encode(line);
  for (let written = 0; written < bytes.length; ) written += g.Deno.stdout.writeSync(bytes.subarray(written));
  g.Deno.exit(0);
} else {
  g.process.stdout.write(line, () => g.process.exit(0));
}
