// Repetition helpers: every figure is the median of several runs, with the spread shown.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `fn` `reps` times (after `warmup` runs) and summarises the numbers it returns. */
export async function repeat(reps, fn, warmup = 1) {
  for (let i = 0; i < warmup; i++) await fn();
  const values = [];
  for (let i = 0; i < reps; i++) values.push(await fn());
  return summary(values);
}

export function summary(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), runs: values.length, values };
}

export function fmt(value, digits = 0) {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return value.toFixed(digits);
}

export function spread(s, digits = 0) {
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

/** Prints one table; rows are arrays of cells. */
export function table(title, header, rows) {
  const widths = header.map((h, i) => Math.max(String(h).length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
  console.log(`\n${title}\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const row of rows) console.log(line(row));
}

/** Times one run that moves `n` items through a channel and resolves how many arrived; items/s. */
export async function itemsPerSecond(n, run) {
  const start = performance.now();
  const arrived = await run();
  const seconds = (performance.now() - start) / 1000;
  if (arrived !== n) throw new Error(`the channel delivered ${arrived} of ${n} items`);
  return n / seconds;
}

/** Counts what an async iterable yields until it ends. */
export async function countItems(iterable) {
  let count = 0;
  for await (const _ of iterable) count++;
  return count;
}
