// Prints the closing line CI reads: every runner's counts added up.
import { runnerCounts } from "./results.mjs";

const counts = runnerCounts();
let passed = 0;
let failed = 0;
let skipped = 0;
for (const count of counts) {
  console.log(`  ${count.runner}: ${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped`);
  passed += count.passed;
  failed += count.failed;
  skipped += count.skipped;
}
if (counts.length === 0) {
  console.log("  no runner reported any result");
  failed += 1;
}
if (skipped) console.log(`  (${skipped} skipped with a printed reason)`);
console.log(`${passed} passed, ${failed} failed`);
