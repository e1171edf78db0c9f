/**
 * @weft/conformance — the definition of "identical": one set of runtime-neutral cases that every
 * adapter registers with its own runtime's test runner (vitest on Node, Deno.test, bun:test, a
 * real headless Chromium). The cases use only weft's API and web-standard globals.
 *
 * @example
 * ```ts
 * for (const test of conformanceTests({ adapter })) it(test.title, test.run, test.timeoutMs);
 * ```
 */
import { Pool, type PoolOptions, type WorkerKind } from "@weft/core";
import { abortCases } from "./cases/abort.js";
import { badInputCases } from "./cases/bad-input.js";
import { closingCases } from "./cases/closing.js";
import { endOfLifeCases } from "./cases/end-of-life.js";
import { errorCases } from "./cases/errors.js";
import { faultCases } from "./cases/faults.js";
import { containmentCases } from "./cases/containment.js";
import { lifecycleCases } from "./cases/lifecycle.js";
import { limitCases } from "./cases/limits.js";
import { poolMethodCases } from "./cases/pool-methods.js";
import { speedupCases } from "./cases/speedup.js";
import { valueCases } from "./cases/values.js";
import { generatedCases } from "./cases/generated.js";
import { sharedCases } from "./cases/shared.js";
import { channelCases } from "./cases/channels.js";
import { channelDeathCases } from "./cases/channel-deaths.js";
import { soakCases } from "./cases/soak-smoke.js";
import { asyncioCases } from "./cases/asyncio.js";
import { deadPartyCases } from "./cases/dead-parties.js";
import { futuresCases } from "./cases/futures.js";
import { managerCases } from "./cases/manager.js";
import { handleCases } from "./cases/handles.js";
import { workerHookCases } from "./cases/worker-hooks.js";
import { CaseSkipped, type CaseContext, type CaseDefinition, type Capability, type Harness } from "./harness.js";
import { ResultLog, type CaseResult } from "./results.js";

export * from "./harness.js";
export * from "./assert.js";
export { ResultLog, type CaseResult, type ResultFile } from "./results.js";
export { runSoak, type SoakOptions, type SoakReport } from "./soak.js";
export { MIN_CONCURRENCY, SERIAL_CEILING, requiredConcurrency } from "./cases/speedup.js";
export { buildMatrix, matrixMarkdown, matrixText, type Matrix, type MatrixCell } from "./matrix.js";

/** Every case, in a stable order. */
export const allCases: readonly CaseDefinition[] = [
  ...lifecycleCases,
  ...poolMethodCases,
  ...valueCases,
  ...generatedCases,
  ...errorCases,
  ...faultCases,
  ...endOfLifeCases,
  ...containmentCases,
  ...abortCases,
  ...limitCases,
  ...closingCases,
  ...badInputCases,
  ...sharedCases,
  ...channelCases,
  ...channelDeathCases,
  ...asyncioCases,
  ...deadPartyCases,
  ...futuresCases,
  ...managerCases,
  ...handleCases,
  ...workerHookCases,
  ...soakCases,
  ...speedupCases,
];

/** One registered test: a title, a body for the runner, and what it recorded. */
export interface ConformanceTest {
  readonly title: string;
  readonly kind: WorkerKind;
  /** The column's kind: the harness's label, else the worker kind. */
  readonly column: string;
  readonly timeoutMs: number;
  /** Runs the case. Resolves `{ skipped: reason }` for a declared skip (the runner should mark it skipped and print the reason). */
  run(): Promise<{ skipped?: string }>;
}

/** The fixture task module beside this suite, as a URL the runtime can import. */
export const defaultFixtures = new URL("./fixtures/tasks.js", import.meta.url).href;

/**
 * The cases a harness skips because it lacks what they need (see {@link Capability}), each with
 * the harness's reason: known before anything runs, so a README can state the column's counts.
 */
export function declaredSkips(harness: Pick<Harness, "kinds" | "lacks">): { case: string; kind: WorkerKind; reason: string }[] {
  const lacks = harness.lacks ?? {};
  const skips: { case: string; kind: WorkerKind; reason: string }[] = [];
  for (const definition of allCases) {
    for (const kind of harness.kinds ?? (["thread", "process"] as const)) {
      if (definition.kinds && !definition.kinds.includes(kind)) continue;
      const missing = definition.needs?.find((capability) => lacks[capability] !== undefined);
      if (missing) skips.push({ case: definition.name, kind, reason: lacks[missing]! });
    }
  }
  return skips;
}

/** Builds the tests for one adapter: every case × every kind it applies to. */
export function conformanceTests(harness: Harness, log = new ResultLog(harness.adapter.runtime)): ConformanceTest[] {
  const kinds = harness.kinds ?? (["thread", "process"] as const);
  const tests: ConformanceTest[] = [];
  const lacks = harness.lacks ?? {};
  for (const definition of allCases) {
    for (const kind of kinds) {
      if (definition.kinds && !definition.kinds.includes(kind)) continue;
      const column = harness.label ?? kind;
      const title = `[${harness.adapter.runtime}/${column}] ${definition.name}`;
      tests.push({
        title,
        kind,
        column,
        timeoutMs: definition.timeoutMs ?? 30_000,
        async run() {
          const measures: Record<string, number> = {};
          const context: CaseContext = {
            adapter: harness.adapter,
            kind,
            fixtures: harness.fixtures ?? defaultFixtures,
            host: harness.host ?? {},
            scale: harness.scale ?? "standard",
            pool<M>(options: Omit<PoolOptions, "adapter" | "kind"> = {}): Pool<M> {
              const all = { adapter: harness.adapter, kind, ...options };
              return (harness.createPool ? harness.createPool(all) : new Pool(all)) as unknown as Pool<M>;
            },
            has(capability) {
              return lacks[capability] === undefined;
            },
            skip(reason: string): never {
              throw new CaseSkipped(reason);
            },
            measure(name, value) {
              measures[name] = value;
            },
          };
          const started = performance.now();
          const record = (result: Omit<CaseResult, "case" | "kind" | "ms" | "measures">) =>
            log.add({ case: definition.name, kind: column, ms: Math.round(performance.now() - started), measures, ...result });
          try {
            const missing = definition.needs?.find((capability) => lacks[capability] !== undefined);
            if (missing) context.skip(lacks[missing]!);
            await definition.run(context);
            record({ status: "pass" });
            return {};
          } catch (error) {
            if (error instanceof CaseSkipped) {
              record({ status: "skip", reason: error.message });
              return { skipped: error.message };
            }
            record({ status: "fail", reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
            throw error;
          }
        },
      });
    }
  }
  return tests;
}
