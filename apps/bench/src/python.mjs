// Running a Python peer script in the same sitting, and the ratio of weft's figure to Python's.
import { execFileSync, spawnSync } from "node:child_process";
import { summary } from "./stats.mjs";

/** Runs `script` (a URL beside the caller) with `args`; its printed JSON, or why it was left out. */
export function runPython(script, args) {
  const probe = spawnSync("python3", ["--version"]);
  if (probe.status !== 0) return { skipped: "python3 not found: the Python rows are left out" };
  return { out: JSON.parse(execFileSync("python3", [script.pathname, ...args.map(String)], { encoding: "utf8" })) };
}

/**
 * Runs `script` with `args` and summarises its series: `rows` maps each row's label to the key of
 * the list of figures the script printed. Resolves { version, results } or { skipped }.
 */
export function pythonRows(script, args, rows) {
  const { out, skipped } = runPython(script, args);
  if (skipped) return { skipped };
  return { version: out.version, results: Object.fromEntries(Object.entries(rows).map(([label, key]) => [label, summary(out[key])])) };
}

/** weft's median over Python's, as "1.23×" ("n/a" where either is missing). */
export function ratio(weft, python) {
  return weft && python ? `${(weft.median / python.median).toFixed(2)}×` : "n/a";
}
