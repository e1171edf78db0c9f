/**
 * The soak: many tiny tasks through one pool with aborts and timeouts mixed in, checking that
 * every submitted task settles exactly once with an expected outcome. Runtime-neutral: the smoke
 * case runs it for a few seconds on every runtime; `npm run soak` runs it for minutes on Node.
 */
import { Pool, type Adapter, type PoolOptions, type WorkerKind } from "@weft/core";

export interface SoakOptions {
  readonly adapter: Adapter;
  readonly kind: WorkerKind;
  readonly fixtures: string;
  /** Tasks to submit in all. */
  readonly tasks: number;
  /** Most tasks in flight at once. Default 2,000. */
  readonly window?: number;
  /** Makes the soak's pool from these options (a harness's kind of pool); default a local Pool. */
  readonly createPool?: (options: PoolOptions) => Pool<never>;
  /** Called now and then with the progress so far (for a progress line). */
  readonly onProgress?: (report: SoakReport) => void;
}

export interface SoakReport {
  submitted: number;
  fulfilled: number;
  aborted: number;
  timedOut: number;
  workerExits: number;
  /** Outcomes that were not expected for the task (a wrong value or an unexpected error): must stay 0. */
  unexpected: number;
  firstUnexpected?: string;
  ms: number;
  tasksPerSecond: number;
}

/** A deterministic pseudo-random sequence, so that a failing soak can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const poolOptions: PoolOptions = { adapter: options.adapter, kind: options.kind, size: 2, module: options.fixtures, abortGrace: 100 };
  const pool = (options.createPool ? options.createPool(poolOptions) : new Pool(poolOptions)) as unknown as Pool<Record<string, (...args: never[]) => unknown>>;
  const report: SoakReport = { submitted: 0, fulfilled: 0, aborted: 0, timedOut: 0, workerExits: 0, unexpected: 0, ms: 0, tasksPerSecond: 0 };
  pool.addEventListener("workerexit", () => report.workerExits++);
  const next = random(20261125);
  const windowSize = options.window ?? 2000;
  const started = performance.now();
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const name = (error: unknown) => (error as Error | undefined)?.name;
  const describe = (error: unknown) => `${name(error)}: ${(error as Error | undefined)?.message}`;
  const unexpected = (what: string) => {
    report.unexpected++;
    report.firstUnexpected ??= what;
  };
  const settle = () => {
    inFlight--;
    if (wake && inFlight < windowSize / 2) {
      const resume = wake;
      wake = undefined;
      resume();
    }
  };
  for (let i = 0; i < options.tasks; i++) {
    if (inFlight >= windowSize) await new Promise<void>((resolve) => (wake = resolve));
    const roll = next();
    inFlight++;
    report.submitted++;
    if (roll < 0.02) {
      // Aborted, maybe while queued, maybe while running.
      const controller = new AbortController();
      pool.apply("sleepCooperative" as never, [5] as never, { signal: controller.signal }).then(
        () => { report.fulfilled++; settle(); },
        (error: unknown) => { if (name(error) === "AbortError") report.aborted++; else unexpected(`abort case: ${describe(error)}`); settle(); },
      );
      const delay = Math.floor(next() * 3);
      if (delay === 0) controller.abort();
      else setTimeout(() => controller.abort(), delay);
    } else if (roll < 0.03) {
      // A run timeout on a task that honours its signal. It would sleep far longer than a loaded
      // host can stall, so its answer never beats the 2 ms timer; its signal ends it early.
      pool.apply("sleepCooperative" as never, [30_000] as never, { timeout: 2 }).then(
        () => { unexpected("a timed-out task fulfilled"); settle(); },
        (error: unknown) => { if (name(error) === "TimeoutError") report.timedOut++; else unexpected(`timeout case: ${describe(error)}`); settle(); },
      );
    } else if (roll < 0.0305) {
      // Rarely, a task that ignores its timeout: its worker is replaced after the grace period.
      // (It spins long enough that a stalled host still sees the timeout first, short enough
      // that a runtime which cannot stop a busy thread soon gets the core back.)
      pool.apply("spin" as never, [1_500] as never, { timeout: 5 }).then(
        () => { unexpected("a stuck task fulfilled"); settle(); },
        (error: unknown) => { if (name(error) === "TimeoutError") report.timedOut++; else unexpected(`stuck case: ${describe(error)}`); settle(); },
      );
    } else {
      pool.apply("echo" as never, [i] as never).then(
        (value) => { if (value === i) report.fulfilled++; else unexpected(`echo ${i} returned ${String(value)}`); settle(); },
        (error: unknown) => { unexpected(`echo ${i}: ${describe(error)}`); settle(); },
      );
    }
    if (options.onProgress && i % 50_000 === 0 && i > 0) {
      report.ms = performance.now() - started;
      report.tasksPerSecond = report.submitted / (report.ms / 1000);
      options.onProgress({ ...report });
    }
  }
  while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
  await pool.close();
  report.ms = performance.now() - started;
  report.tasksPerSecond = report.submitted / (report.ms / 1000);
  return report;
}
