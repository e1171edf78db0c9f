// Aggregates the conformance result files into one matrix: case × runtime/kind → pass/fail/skip
// (with the reasons), plus the measured parallelism. Writes results/matrix.json and
// results/matrix.md and prints the summary. The matrix itself is @weft/conformance's, the
// same one its weft-conformance command prints.
import { writeFileSync } from "node:fs";
import { conformanceFiles, resultsDir } from "./results.mjs";

let conformance;
try {
  conformance = await import("@weft/conformance");
} catch (error) {
  console.log(`No conformance matrix: @weft/conformance is not built (${error.message}).`);
  process.exit(0);
}
const { buildMatrix, matrixMarkdown } = conformance;

const files = conformanceFiles();
const matrix = buildMatrix(files);
writeFileSync(new URL("matrix.json", resultsDir), JSON.stringify(matrix, null, 2));
writeFileSync(new URL("matrix.md", resultsDir), matrixMarkdown(matrix));
const totals = matrix.columns.map((column) => {
  const t = matrix.totals[column];
  return `${column}: ${t.pass} pass, ${t.fail} fail, ${t.skip} skip`;
});
console.log(`Conformance matrix (${matrix.rows.length} cases): ${totals.join("; ")}`);
for (const s of matrix.speedups) {
  const curve = s.curve.length ? `; curve ${s.curve.map((p) => `${p.workers}→${p.speedup}×`).join(", ")}` : "";
  console.log(`  parallelism ${s.column}: ${s.speedup}× wall-clock on ${s.workers ?? "?"} workers, ${s.concurrency ?? "?"} chunks at once on average${curve}`);
}
console.log("Written to results/matrix.md and results/matrix.json");
