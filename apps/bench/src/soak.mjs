// The soak: one million tiny tasks through a pool of 2 with random aborts and timeouts mixed in.
// Reports tasks per second, resident memory (growth must stay under 10%), and settle counts
// that must add up exactly to what was submitted. Minutes long; not part of `npm test` (which
// runs a seconds-long smoke version on every runtime).
// Usage: node src/soak.mjs [--tasks=1000000] [--kind=thread|process|both]
import { mkdirSync, writeFileSync } from "node:fs";
import { runSoak } from "@weft/conformance";
import { adapter } from "@weft/node";

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const tasks = Number(arg("tasks", "1000000"));
const kinds = arg("kind", "both") === "both" ? ["thread", "process"] : [arg("kind")];
const fixtures = new URL("../../../packages/conformance/dist/fixtures/tasks.js", import.meta.url).href;
const mb = (bytes) => Math.round(bytes / 1024 / 1024);
const results = [];
let failed = false;

for (const kind of kinds) {
  globalThis.gc?.();
  const rssAtStart = process.memoryUsage().rss;
  let rssAfterWarmup;
  const report = await runSoak({
    adapter,
    kind,
    fixtures,
    tasks,
    onProgress(progress) {
      if (rssAfterWarmup === undefined && progress.submitted >= tasks / 10) rssAfterWarmup = process.memoryUsage().rss;
      process.stdout.write(`\r  ${kind}: ${progress.submitted.toLocaleString()} submitted, ${Math.round(progress.tasksPerSecond).toLocaleString()} tasks/s   `);
    },
  });
  globalThis.gc?.();
  const rssAtEnd = process.memoryUsage().rss;
  const base = rssAfterWarmup ?? rssAtStart;
  const growth = (rssAtEnd - base) / base;
  const settled = report.fulfilled + report.aborted + report.timedOut;
  const ok = report.unexpected === 0 && settled === report.submitted && growth < 0.1;
  failed ||= !ok;
  console.log(
    `\r${kind}: ${report.submitted.toLocaleString()} tasks in ${(report.ms / 1000).toFixed(1)} s = ${Math.round(report.tasksPerSecond).toLocaleString()} tasks/s; ` +
      `settled ${settled.toLocaleString()} (${report.fulfilled.toLocaleString()} fulfilled, ${report.aborted.toLocaleString()} aborted, ${report.timedOut.toLocaleString()} timed out), ` +
      `unexpected ${report.unexpected}; workers replaced ${report.workerExits}; ` +
      `RSS ${mb(rssAtStart)} MiB at start, ${mb(base)} MiB after warm-up, ${mb(rssAtEnd)} MiB at end (growth ${(growth * 100).toFixed(1)}%) ${ok ? "OK" : "FAILED"}`,
  );
  if (report.firstUnexpected) console.log(`  first unexpected outcome: ${report.firstUnexpected}`);
  results.push({ kind, ...report, rssAtStart, rssAfterWarmup: base, rssAtEnd, growth });
}
const dir = new URL("../../../results/", import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL("soak-node.json", dir), JSON.stringify(results, null, 2));
process.exitCode = failed ? 1 : 0;
