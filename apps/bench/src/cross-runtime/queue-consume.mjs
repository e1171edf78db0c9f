// A consumer's own cost per item: 100,000 items already in a multiprocessing.Queue on this side,
// taken with `for await`, no worker and no transport. The same file under node, deno and bun:
//   node src/cross-runtime/queue-consume.mjs
//   deno run --no-lock --node-modules-dir=manual src/cross-runtime/queue-consume.mjs
//   bun run src/cross-runtime/queue-consume.mjs
// Prints the median ns per item of 20 runs after 10 warm-up runs.
import { multiprocessing } from "weftjs";

const ITEMS = 100_000;
const WARMUPS = 10;
const RUNS = 20;
const runtime = globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : "node";

const times = [];
for (let run = 0; run < WARMUPS + RUNS; run++) {
  const queue = new multiprocessing.Queue();
  for (let i = 0; i < ITEMS; i++) await queue.put(i);
  await queue.close();
  const start = performance.now();
  let count = 0;
  for await (const _ of queue) count++;
  const elapsed = performance.now() - start;
  if (count !== ITEMS) throw new Error(`took ${count} items of ${ITEMS}`);
  if (run >= WARMUPS) times.push(elapsed);
}
times.sort((a, b) => a - b);
const median = times[times.length >> 1];
console.log(`${runtime}: for await over a Queue of ${ITEMS} items: ${((median / ITEMS) * 1e6).toFixed(0)} ns per item (median of ${RUNS} runs)`);
