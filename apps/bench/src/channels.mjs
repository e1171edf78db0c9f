// multiprocessing.Queue and Pipe: weft against Python's, in the same run. Every row moves N small
// items (the numbers 0..N-1) through one channel and reports items/s, median (min–max) of REPS.
// Usage: node src/channels.mjs [--quick]; also section 8 of src/main.mjs (runChannels).
import { Pipe, Pool, multiprocessing } from "@weft/node";
import { pythonRows, ratio } from "./python.mjs";
import { countItems, fmt, itemsPerSecond, repeat, spread, table } from "./stats.mjs";

const TASKS = new URL("./tasks.mjs", import.meta.url);

/** weft's rows: one pool per kind (started before timing), reused by each repetition. */
async function weftRows(n, reps, maxsize) {
  const results = {};
  for (const kind of ["process", "thread"]) {
    const pool = new Pool({ kind, size: 2, module: TASKS });
    await pool.apply("echo", [0]);
    await pool.apply("echo", [0]);
    results[`Queue, ${kind} → main`] = await repeat(reps, () => itemsPerSecond(n, async () => {
      const queue = new multiprocessing.Queue(maxsize);
      const producing = pool.apply("produce", [queue, n]);
      const count = await countItems(queue);
      await producing;
      return count;
    }));
    results[`Pipe, ${kind} → main`] = await repeat(reps, () => itemsPerSecond(n, async () => {
      const [here, there] = Pipe();
      const sending = pool.apply("sendItems", [there, n]);
      const count = await countItems(here);
      await sending;
      return count;
    }));
    results[`Queue, main → ${kind}`] = await repeat(reps, () => itemsPerSecond(n, async () => {
      const queue = new multiprocessing.Queue(maxsize);
      const consuming = pool.apply("consumeCount", [queue]);
      for (let i = 0; i < n; i++) await queue.put(i);
      await queue.close();
      return consuming;
    }));
    results[`Queue, ${kind} → ${kind} (queue on main)`] = await repeat(reps, () => itemsPerSecond(n, async () => {
      const queue = new multiprocessing.Queue(maxsize);
      const consuming = pool.apply("consumeCount", [queue]);
      await pool.apply("produce", [queue, n]);
      return consuming;
    }));
    await pool.close();
  }
  return results;
}

const pythonChannels = (n, reps) =>
  pythonRows(new URL("./python_channels.py", import.meta.url), [n, reps], {
    "Queue, process → main": "queue_process",
    "Pipe, process → main": "pipe_process",
    "Queue, thread → main": "queue_thread",
  });

/** Runs both sides, prints the rows and the ratios; resolves the report section. */
export async function runChannels({ quick = false, title = "Channels" } = {}) {
  const n = quick ? 20_000 : 100_000;
  const reps = quick ? 3 : 5;
  const weft = await weftRows(n, reps, 0);
  const bounded = await weftRows(n, reps, 1000);
  const python = pythonChannels(n, quick ? 2 : 3);
  const rows = [];
  for (const [name, s] of Object.entries(weft)) rows.push([`weft ${name}`, spread(s)]);
  for (const [name, s] of Object.entries(bounded)) if (!name.includes("Pipe")) rows.push([`weft ${name}, maxsize 1000`, spread(s)]);
  if (python.results) for (const [name, s] of Object.entries(python.results)) rows.push([`python ${python.version} ${name}`, spread(s)]);
  table(`${title}: ${fmt(n)} small items through one channel (items/s, median (min–max))`, ["channel", "items/s"], rows);
  if (python.skipped) console.log(`   ${python.skipped}`);
  const py = python.results ?? {};
  const ratios = [
    ["weft Queue process → main / python (target ≥ 1×)", ratio(weft["Queue, process → main"], py["Queue, process → main"])],
    ["weft Pipe process → main / python (target ≥ 1×)", ratio(weft["Pipe, process → main"], py["Pipe, process → main"])],
    ["weft Queue thread → main / python thread-fed Queue (target ≥ 2×)", ratio(weft["Queue, thread → main"], py["Queue, thread → main"])],
    ["weft Queue process → main, maxsize 1000 / python (unbounded)", ratio(bounded["Queue, process → main"], py["Queue, process → main"])],
  ];
  table("   ratios (same run)", ["comparison", "ratio"], ratios);
  return { n, weft, bounded, python, ratios: Object.fromEntries(ratios) };
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  await runChannels({ quick: process.argv.includes("--quick") });
}
