// multiprocessing.Manager: weft's proxies against Python's, in the same run. Each row makes N
// proxy calls (dict sets, or locked read-modify-write increments: 4 calls each) and reports
// calls/s, median (min–max) of REPS. Workers come from a warm pool on both sides.
// Usage: node src/manager.mjs [--quick]
import { Manager, Pool } from "@weft/node";
import { pythonRows, ratio } from "./python.mjs";
import { fmt, repeat, spread, table } from "./stats.mjs";

// Inline task functions: self-contained, they receive the proxies as arguments.
const setMany = async (d, n) => {
  for (let i = 0; i < n; i++) await d.set("k", i);
  return n;
};
const incrementLocked = async (d, lock, n) => {
  for (let i = 0; i < n; i++) {
    const held = await lock.hold();
    try {
      await d.set("n", (await d.get("n")) + 1);
    } finally {
      await held.release();
    }
  }
  return n;
};

async function rate(n, run) {
  const start = performance.now();
  await run();
  return n / ((performance.now() - start) / 1000);
}

async function weftRows(n, reps) {
  const results = {};
  const manager = new Manager();
  try {
    const d = manager.dict();
    const lock = manager.Lock();
    results["dict.set, main side"] = await repeat(reps, () => rate(n, () => setMany(d, n)));
    for (const kind of ["process", "thread"]) {
      const pool = new Pool({ kind, size: 2 });
      try {
        await Promise.all([pool.apply(setMany, [d, 100]), pool.apply(setMany, [d, 100])]);
        results[`dict.set, ${kind} worker`] = await repeat(reps, () => rate(n, () => pool.apply(setMany, [d, n])));
        // Each locked increment is 4 calls (acquire, get, set, release); the rate counts increments.
        results[`locked increments, 2 ${kind} workers`] = await repeat(reps, () => rate(n, async () => {
          await d.set("n", 0);
          await Promise.all([pool.apply(incrementLocked, [d, lock, n / 2]), pool.apply(incrementLocked, [d, lock, n / 2])]);
          if ((await d.get("n")) !== n) throw new Error("lost an increment");
        }));
      } finally {
        await pool.close();
      }
    }
  } finally {
    await manager.shutdown();
  }
  return results;
}

const pythonManager = (n, reps) =>
  pythonRows(new URL("./python_manager.py", import.meta.url), [n, reps], {
    "dict.set, main side": "set_main",
    "dict.set, process worker": "set_process",
    "locked increments, 2 process workers": "locked_2_processes",
  });

export async function runManager({ quick = false, title = "Manager" } = {}) {
  const n = quick ? 2_000 : 10_000;
  const reps = quick ? 3 : 5;
  const weft = await weftRows(n, reps);
  const python = pythonManager(n, quick ? 2 : 3);
  const rows = Object.entries(weft).map(([name, s]) => [`weft ${name}`, spread(s)]);
  if (python.results) for (const [name, s] of Object.entries(python.results)) rows.push([`python ${python.version} ${name}`, spread(s)]);
  table(`${title}: ${fmt(n)} proxy operations (operations/s, median (min–max))`, ["operation", "ops/s"], rows);
  if (python.skipped) console.log(`   ${python.skipped}`);
  const py = python.results ?? {};
  const ratios = [
    ["weft dict.set from a process / python", ratio(weft["dict.set, process worker"], py["dict.set, process worker"])],
    ["weft locked increments, 2 processes / python", ratio(weft["locked increments, 2 process workers"], py["locked increments, 2 process workers"])],
    ["weft dict.set on the main side / python (no message in weft)", ratio(weft["dict.set, main side"], py["dict.set, main side"])],
  ];
  table("   ratios (same run)", ["comparison", "ratio"], ratios);
  return { n, weft, python, ratios: Object.fromEntries(ratios) };
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  await runManager({ quick: process.argv.includes("--quick") });
}
