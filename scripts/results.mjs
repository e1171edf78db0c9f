// Reads what every runner wrote into results/: vitest JSON reports (vitest-*.json), the
// summaries of the other runners (runner-*.json: { runner, passed, failed, skipped }) and the
// conformance result files (conformance-*.json).
import { existsSync, readdirSync, readFileSync } from "node:fs";

export const resultsDir = new URL("../results/", import.meta.url);

function readJson(name) {
  return JSON.parse(readFileSync(new URL(name, resultsDir), "utf8"));
}

function files(prefix) {
  if (!existsSync(resultsDir)) return [];
  return readdirSync(resultsDir).filter((name) => name.startsWith(prefix) && name.endsWith(".json")).sort();
}

/** One { runner, passed, failed, skipped } per runner that reported. */
export function runnerCounts() {
  const counts = [];
  for (const name of files("vitest-")) {
    const report = readJson(name);
    counts.push({
      runner: name.slice(0, -5),
      passed: report.numPassedTests ?? 0,
      failed: (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0),
      skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    });
  }
  for (const name of files("runner-")) counts.push(readJson(name));
  return counts;
}

/** Every conformance result file. */
export function conformanceFiles() {
  return files("conformance-").map(readJson);
}
