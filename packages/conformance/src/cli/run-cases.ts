/**
 * Runs the suite in this JavaScript realm (the CLI's own runtime, or the browser page): one case
 * at a time, each under its own timeout, reporting every step. Runtime-neutral.
 */
import type { WorkerKind } from "@weft/core";
import type { Harness } from "../harness.js";
import { conformanceTests, type ConformanceTest } from "../index.js";
import { probeKind } from "./probe.js";
import { ResultLog, type ResultFile } from "../results.js";
import type { RunEvent } from "./events.js";

export interface RunCasesOptions {
  readonly harness: Harness;
  /** Runtime label of the results (defaults to the adapter's runtime). */
  readonly label?: string;
  /** Only cases whose title contains one of these. */
  readonly filter?: readonly string[];
  readonly onEvent: (event: RunEvent) => void | Promise<void>;
  /** How long the probe before the suite waits for a trivial task of each kind (default: probe.ts). */
  readonly probeTimeoutMs?: number;
  /** Stop after the first failing case (the rest are not run and not in the result file). */
  readonly bail?: boolean;
}

const describeError = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** A case that did not settle within its own limit. */
class CaseTimeout extends Error {
  override name = "CaseTimeout";
}

/** Rejects after `ms` unless `promise` settles first; the timer never keeps the host alive past the case. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CaseTimeout(`timed out after ${ms} ms (the case's limit)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

type Outcome = { status: "pass" | "fail" | "skip"; reason?: string; timedOut?: boolean };

async function runOne(test: ConformanceTest): Promise<Outcome> {
  try {
    const { skipped } = await withTimeout(test.run(), test.timeoutMs);
    return skipped ? { status: "skip", reason: skipped } : { status: "pass" };
  } catch (error) {
    return { status: "fail", reason: describeError(error), ...(error instanceof CaseTimeout ? { timedOut: true } : {}) };
  }
}

/**
 * After a case timed out: whether the adapter's workers of that kind still run anything. When
 * they do not, the case's reason says so and every later case of the kind fails at once with it
 * (an adapter that broke midway costs one case's limit, not every case's).
 */
async function afterTimeout(options: RunCasesOptions, test: ConformanceTest, outcome: Outcome, broken: Map<WorkerKind, string | undefined>): Promise<Outcome> {
  const kind = test.kind as WorkerKind;
  const probe = await probeKind(options.harness.adapter, kind, options.probeTimeoutMs);
  if (probe) {
    broken.set(kind, `the adapter stopped answering during "${test.title}" (it timed out), and then ${probe}`);
    return { ...outcome, reason: `${outcome.reason}; then ${probe}: the adapter's ${kind} workers stopped answering` };
  }
  return { ...outcome, reason: `${outcome.reason}; a new ${kind} worker still ran a trivial task, so this case's workers or what they waited for never answered` };
}

export async function runCases(options: RunCasesOptions): Promise<ResultFile> {
  const runtime = options.label ?? options.harness.adapter.runtime;
  const log = new ResultLog(runtime);
  const filter = options.filter ?? [];
  const tests = conformanceTests(options.harness, log).filter((t) => filter.length === 0 || filter.some((f) => t.title.includes(f)));
  await options.onEvent({ type: "plan", runtime, count: tests.length });
  // Both kinds at once: a broken adapter costs one probe timeout, not one per kind.
  const kinds = [...new Set(tests.map((t) => t.kind as WorkerKind))];
  const probes = await Promise.all(kinds.map((kind) => probeKind(options.harness.adapter, kind, options.probeTimeoutMs)));
  const broken = new Map(kinds.map((kind, i) => [kind, probes[i]]));
  for (const test of tests) {
    await options.onEvent({ type: "start", runtime, title: test.title, timeoutMs: test.timeoutMs });
    const started = performance.now();
    const recorded = log.results.length;
    const unusable = broken.get(test.kind as WorkerKind);
    let outcome: Outcome = unusable ? { status: "fail", reason: `not run: ${unusable}` } : await runOne(test);
    if (outcome.timedOut) outcome = await afterTimeout(options, test, outcome, broken);
    const ms = Math.round(performance.now() - started);
    const { timedOut: _, ...reported } = outcome;
    // A case that timed out never recorded itself; the result file must still show it.
    if (log.results.length === recorded) {
      log.add({ case: test.title.replace(/^\[[^\]]*\] /, ""), kind: test.kind as WorkerKind, status: reported.status, ms, measures: {}, ...(reported.reason ? { reason: reported.reason } : {}) });
    }
    await options.onEvent({ type: "result", runtime, title: test.title, ms, ...reported });
    if (options.bail && reported.status === "fail") break;
  }
  const file = log.toJSON();
  await options.onEvent({ type: "done", runtime, file });
  return file;
}
