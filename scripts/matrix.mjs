// Aggregates the conformance result files into one matrix: case × runtime/kind → pass/fail/skip,
// plus the measured speedups. Writes results/matrix.json and results/matrix.md, prints the summary.
import { writeFileSync } from "node:fs";
import { conformanceFiles, resultsDir } from "./results.mjs";

const files = conformanceFiles();
const columns = [];
const rows = new Map();
const speedups = [];
for (const file of files) {
  for (const result of file.results) {
    const column = `${file.runtime}/${result.kind}`;
    if (!columns.includes(column)) columns.push(column);
    if (!rows.has(result.case)) rows.set(result.case, {});
    rows.get(result.case)[column] = result.status;
    if (result.measures?.speedup) speedups.push({ column, speedup: Number(result.measures.speedup.toFixed(2)) });
  }
}
const mark = { pass: "✓", fail: "✗", skip: "–" };
const lines = [`| case | ${columns.join(" | ")} |`, `|---|${columns.map(() => "---").join("|")}|`];
for (const [name, cells] of rows) lines.push(`| ${name} | ${columns.map((c) => mark[cells[c]] ?? " ").join(" | ")} |`);
const totals = columns.map((column) => {
  const statuses = [...rows.values()].map((cells) => cells[column]).filter(Boolean);
  return `${column}: ${statuses.filter((s) => s === "pass").length} pass, ${statuses.filter((s) => s === "fail").length} fail, ${statuses.filter((s) => s === "skip").length} skip`;
});
writeFileSync(new URL("matrix.json", resultsDir), JSON.stringify({ columns, rows: Object.fromEntries(rows), speedups }, null, 2));
writeFileSync(new URL("matrix.md", resultsDir), `${lines.join("\n")}\n\nSpeedup (best of a few tries): ${speedups.map((s) => `${s.column} ${s.speedup}×`).join(", ")}\n`);
console.log(`Conformance matrix (${rows.size} cases): ${totals.join("; ")}`);
if (speedups.length) console.log(`Measured CPU-bound speedup: ${speedups.map((s) => `${s.column} ${s.speedup}×`).join(", ")}`);
console.log("Written to results/matrix.md and results/matrix.json");
