// The caller's CPU per task: what weft's task path costs the main thread, apart from wall-clock
// noise (a loaded machine stretches the wall clock far more than the CPU a task takes). Compares
// built trees of this repository, alternating them, so a refactor can be checked against the
// commit before it: `git worktree add ../before <commit> && (cd ../before && npm install && npx turbo run build)`.
//
// Usage: node src/cpu-per-task.mjs [--sittings=4] [TREE ...]   (default: this repository alone)
//   Each sitting runs every tree in its own process, thread then process pools of 2 workers:
//   3 warm-up batches, then the median of 7 batches of 20,000 `echo` tasks submitted at once.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const BATCH = 20_000;
const here = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);

if (args[0] === "--child") {
  const [, tree, kind] = args;
  const { Pool } = await import(pathToFileURL(`${tree}/packages/node/dist/index.js`).href);
  const pool = new Pool({ kind, size: 2, module: pathToFileURL(`${tree}/apps/bench/src/tasks.mjs`) });
  const batch = async () => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await Promise.all(Array.from({ length: BATCH }, (_, i) => pool.apply("echo", [i])));
    const used = process.cpuUsage(cpu);
    return { perSecond: BATCH / ((performance.now() - start) / 1000), cpuMicros: (used.user + used.system) / BATCH };
  };
  for (let i = 0; i < 3; i++) await batch();
  const runs = [];
  for (let i = 0; i < 7; i++) runs.push(await batch());
  const median = (values) => values.sort((a, b) => a - b)[3];
  console.log(JSON.stringify({ perSecond: median(runs.map((r) => r.perSecond)), cpuMicros: median(runs.map((r) => r.cpuMicros)) }));
  await pool.close();
} else {
  const sittings = Number(args.find((a) => a.startsWith("--sittings="))?.slice(11) ?? 4);
  const trees = args.filter((a) => !a.startsWith("--")).map((tree) => resolve(tree));
  if (trees.length === 0) trees.push(fileURLToPath(new URL("../../..", import.meta.url)).replace(/\/$/, ""));
  const results = new Map();
  for (let sitting = 0; sitting < sittings; sitting++) {
    for (const tree of trees) {
      for (const kind of ["thread", "process"]) {
        const out = JSON.parse(execFileSync(process.execPath, [here, "--child", tree, kind], { encoding: "utf8" }).trim().split("\n").pop());
        const key = `${tree} ${kind}`;
        results.set(key, [...(results.get(key) ?? []), out]);
      }
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(`caller CPU per task, µs (median of ${sittings} sittings; min–max) and tasks/s — ${BATCH} echo tasks at once, 2 workers`);
  for (const [key, runs] of results) {
    const cpu = runs.map((r) => r.cpuMicros);
    const rate = runs.map((r) => r.perSecond);
    console.log(`${key.padEnd(60)} ${median(cpu).toFixed(2)} (${Math.min(...cpu).toFixed(2)}–${Math.max(...cpu).toFixed(2)}) µs   ${Math.round(median(rate))}/s`);
  }
}
