import { ok } from "../assert.js";
import type { CaseDefinition } from "../harness.js";
import { fixturePool } from "./util.js";

/** The lenient CI check: CPU-bound chunks on min(cores, 4) workers at least 1.3× faster than on one. */
export const MIN_SPEEDUP = 1.3;

export const speedupCases: CaseDefinition[] = [
  {
    name: "parallelism: CPU-bound chunks run faster on several workers than serially",
    timeoutMs: 120_000,
    async run(ctx) {
      const cores = ctx.adapter.cpuCount();
      if (cores < 2) ctx.skip(`only ${cores} CPU core is available, so no parallel speedup is possible`);
      const workers = Math.min(cores, 4);
      await using serial = fixturePool(ctx, { size: 1 });
      await using parallel = fixturePool(ctx, { size: workers });
      // Size the chunks to this runtime's speed (JavaScriptCore runs this loop several times faster
      // than V8): each chunk should take about 40 ms, so that start-up and JIT noise do not dominate.
      const probe = 60_000;
      await serial.apply("countPrimes", [1_000_000, 1_000_000 + probe]);
      const probeStart = performance.now();
      await serial.apply("countPrimes", [1_000_000, 1_000_000 + probe]);
      const probeMs = Math.max(1, performance.now() - probeStart);
      const chunk = Math.min(2_000_000, Math.max(probe, Math.round((probe * 40) / probeMs)));
      const chunks = Array.from({ length: workers * 4 }, () => [1_000_000, 1_000_000 + chunk] as [number, number]);
      const time = async (pool: typeof serial) => {
        const start = performance.now();
        await pool.starmap("countPrimes", chunks, { chunksize: 1 });
        return performance.now() - start;
      };
      await time(serial); // warm both pools up, one at a time
      await time(parallel);
      let best = 0;
      for (let attempt = 0; attempt < 6 && best < 1.6; attempt++) {
        const serialMs = await time(serial);
        const parallelMs = await time(parallel);
        best = Math.max(best, serialMs / parallelMs);
      }
      ctx.measure("speedup", best);
      ok(best >= MIN_SPEEDUP, `speedup ${best.toFixed(2)}× on ${workers} workers is below ${MIN_SPEEDUP}×`);
    },
  },
];
