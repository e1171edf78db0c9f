// The browser side of the cross-runtime benchmark: the page run.mjs serves (cross-origin
// isolated, with an import map that sends `weftjs` to the built browser adapter) loads this module,
// which runs the same bench.mjs and hands the report to the launcher through the functions
// Playwright exposes on `window`.
import { runBench } from "./bench.mjs";

const params = new URLSearchParams(location.search);
const log = (line) => window.weftBenchLog?.(line);

try {
  const report = await runBench({
    quick: params.get("quick") === "1",
    smoke: params.get("smoke") === "1",
    only: params.get("only")?.split(","),
    runtime: "chromium",
    version: navigator.userAgent,
    log,
  });
  report.crossOriginIsolated = self.crossOriginIsolated;
  await window.weftBenchDone(report);
} catch (error) {
  await window.weftBenchDone({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
}
