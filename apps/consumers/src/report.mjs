// Counts and prints this stage's checks, and writes results/runner-consumers.json for the closing
// "N passed, N failed" line (scripts/results.mjs reads every runner-*.json).
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const resultsDir = process.env.WEFT_RESULTS_DIR ? resolve(process.env.WEFT_RESULTS_DIR) : join(repo, "results");

export const counts = { passed: 0, failed: 0, skipped: 0 };
export const failures = [];

export function pass(title, detail) {
  counts.passed++;
  console.log(`  ✓ ${title}${detail ? ` (${detail})` : ""}`);
}

export function fail(title, reason) {
  counts.failed++;
  failures.push(title);
  console.log(`  ✗ FAIL ${title}\n${String(reason).replace(/^/gm, "      ")}`);
}

export function skip(title, reason) {
  counts.skipped++;
  console.log(`  ↓ SKIP ${title}: ${reason}`);
}

/** Runs one check: passes unless it throws; a thrown error's message is the failure's reason. */
export async function check(title, body) {
  try {
    const detail = await body();
    pass(title, typeof detail === "string" ? detail : undefined);
  } catch (error) {
    fail(title, error instanceof Error ? error.message : String(error));
  }
}

export function writeRunnerFile(extra = {}) {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, "runner-consumers.json"), JSON.stringify({ runner: "consumers", ...counts, ...extra }, null, 2));
}
