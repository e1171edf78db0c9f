import { ok } from "../assert.js";
import type { CaseContext, CaseDefinition } from "../harness.js";
import { fixturePool } from "./util.js";

/**
 * The gate: how many chunks ran at once, on average, while the batch ran — the sum of the chunks'
 * own durations (each timed on its worker's clock) over the batch's wall time. A machine busy
 * with other work stretches both alike, so a correct pool keeps this near its worker count; work
 * that runs one chunk at a time (one worker, a serialising queue, "workers" sharing one thread)
 * cannot exceed 1, because its chunks' intervals never overlap inside the batch.
 *
 * The pool must reach {@link MIN_CONCURRENCY} times what one worker reaches in the same run (on a
 * starved machine the gaps between chunks — dispatch, messages — leave a single worker idle part
 * of the time, and they shorten the many-worker figure alike), and always more than
 * {@link SERIAL_CEILING}, which no one-at-a-time execution can pass.
 */
export const MIN_CONCURRENCY = 1.25;
/** 1 plus room for timer rounding (a runtime may round performance.now() to the millisecond). */
export const SERIAL_CEILING = 1.05;

/** The concurrency `workers` must show, given what one worker showed in the same run. */
export const requiredConcurrency = (serialConcurrency: number) => Math.max(SERIAL_CEILING, MIN_CONCURRENCY * Math.min(1, serialConcurrency));

/** The wall-clock speedup is reported (matrix, CLI), not gated: it depends on what else runs. */
export interface ParallelismRun {
  /** Host wall time of the whole batch. */
  readonly wallMs: number;
  /** Sum of the chunks' own durations. */
  readonly workMs: number;
}

type FixturePool = ReturnType<typeof fixturePool>;

/** Runs `chunks` on `pool` one chunk per task and times them. */
export async function timeChunks(pool: FixturePool, chunks: readonly (readonly [number, number])[]): Promise<ParallelismRun> {
  const start = performance.now();
  const results = await pool.starmap("timedCountPrimes", chunks as [number, number][], { chunksize: 1 });
  const wallMs = performance.now() - start;
  return { wallMs, workMs: results.reduce((sum, result) => sum + result.ms, 0) };
}

/** Mean number of chunks running at once during the run. */
export const concurrencyOf = (run: ParallelismRun) => run.workMs / run.wallMs;

/** A chunk size that takes about `targetMs` on this runtime (JavaScriptCore runs the loop several times faster than V8). */
async function calibrate(pool: FixturePool, targetMs: number): Promise<[number, number]> {
  const probe = 60_000;
  await pool.apply("countPrimes", [1_000_000, 1_000_000 + probe]);
  const start = performance.now();
  await pool.apply("countPrimes", [1_000_000, 1_000_000 + probe]);
  const probeMs = Math.max(1, performance.now() - start);
  const size = Math.min(2_000_000, Math.max(probe, Math.round((probe * targetMs) / probeMs)));
  return [1_000_000, 1_000_000 + size];
}

/** Worker counts of the curve: 1, 2, 4 … up to `max`, and `max` itself. */
export function curveSizes(max: number): number[] {
  const sizes: number[] = [];
  for (let n = 1; n < max; n *= 2) sizes.push(n);
  sizes.push(max);
  return sizes;
}

/**
 * The full run's curve: the same batch on 1, 2, 4 … workers, each recorded as `speedup@N` — the
 * best of a few (one worker, N workers) pairs timed back to back, so that load from elsewhere
 * hits both sides of a ratio alike.
 */
async function measureCurve(ctx: CaseContext, maxWorkers: number, chunk: [number, number]): Promise<void> {
  const chunks = Array.from({ length: Math.max(8, maxWorkers * 4) }, () => chunk);
  await using one = fixturePool(ctx, { size: 1 });
  await timeChunks(one, chunks.slice(0, 1));
  ctx.measure("speedup@1", 1);
  for (const size of curveSizes(maxWorkers).slice(1)) {
    await using pool = fixturePool(ctx, { size });
    await timeChunks(pool, chunks.slice(0, size)); // starts and warms every worker
    let best = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      const serialMs = (await timeChunks(one, chunks)).wallMs;
      best = Math.max(best, serialMs / (await timeChunks(pool, chunks)).wallMs);
    }
    ctx.measure(`speedup@${size}`, Number(best.toFixed(2)));
  }
}

export const speedupCases: CaseDefinition[] = [
  {
    name: "parallelism: CPU-bound chunks run at the same time on several workers, not one after another",
    timeoutMs: 180_000,
    async run(ctx) {
      const cores = ctx.adapter.cpuCount();
      if (cores < 2) ctx.skip(`only ${cores} CPU core is available, so no parallel speedup is possible`);
      const workers = Math.min(cores, ctx.scale === "full" ? 16 : 4);
      await using serial = fixturePool(ctx, { size: 1 });
      await using parallel = fixturePool(ctx, { size: workers });
      // About 40 ms a chunk, so that start-up and JIT noise do not dominate.
      const chunk = await calibrate(serial, 40);
      const chunks = Array.from({ length: workers * 4 }, () => chunk);
      await timeChunks(serial, chunks); // warm both pools up, one at a time
      await timeChunks(parallel, chunks);
      let speedup = 0;
      let concurrency = 0;
      let serialConcurrency = 0;
      const attempts = ctx.scale === "quick" ? 3 : 6;
      for (let attempt = 0; attempt < attempts && !(speedup >= 1.6 && concurrency >= MIN_CONCURRENCY); attempt++) {
        const one = await timeChunks(serial, chunks);
        const many = await timeChunks(parallel, chunks);
        speedup = Math.max(speedup, one.wallMs / many.wallMs);
        concurrency = Math.max(concurrency, concurrencyOf(many));
        serialConcurrency = Math.max(serialConcurrency, concurrencyOf(one));
      }
      ctx.measure("workers", workers);
      ctx.measure("speedup", Number(speedup.toFixed(2)));
      ctx.measure("concurrency", Number(concurrency.toFixed(2)));
      ctx.measure("serialConcurrency", Number(serialConcurrency.toFixed(2)));
      const required = requiredConcurrency(serialConcurrency);
      ctx.measure("requiredConcurrency", Number(required.toFixed(2)));
      // The negative control, on every run: the one-worker pool must fail the very same check.
      ok(
        serialConcurrency < SERIAL_CEILING,
        `the one-worker pool measured a concurrency of ${serialConcurrency.toFixed(2)}, so the check cannot tell serial work from parallel work`,
      );
      ok(
        concurrency >= required,
        `on ${workers} workers only ${concurrency.toFixed(2)} chunks ran at once on average (at least ${required.toFixed(2)} expected: ` +
          `${MIN_CONCURRENCY}× the one worker's ${serialConcurrency.toFixed(2)}, and over ${SERIAL_CEILING}; wall-clock speedup ${speedup.toFixed(2)}×)`,
      );
      if (ctx.scale === "full") await measureCurve(ctx, workers, chunk);
    },
  },
];
