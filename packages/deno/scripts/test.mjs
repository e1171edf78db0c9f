#!/usr/bin/env node
// Runs the Deno test files with `deno test` (the deno binary from the npm package), streams its
// output, and writes results/runner-deno.json from what it printed, so that the counts show a
// failure even when Deno crashes before the test file could write anything.
//
// Deno.test has no runtime skip: a case skipped by a declared capability passes and prints
// "SKIP <title>: <reason>"; those lines are counted as skipped (and taken off the passed count).
import { realpathSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { runLineChild } from "@weft/conformance/line-child";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const resultsDir = process.env.WEFT_RESULTS_DIR ?? fileURLToPath(new URL("../../../results/", import.meta.url));
const require = createRequire(import.meta.url);

function denoBinary() {
  // The npm "deno" package ships the binary beside its package.json.
  const dir = fileURLToPath(new URL(".", `file://${require.resolve("deno/package.json")}`));
  return realpathSync(`${dir}deno`);
}

const deno = denoBinary();
const args = [
  "test",
  "--no-prompt",
  // Thread workers take Deno permissions through the Worker's unstable "deno.permissions" option.
  "--unstable-worker-options",
  // The main program: read its modules and fixtures, start `deno run` children, write results.
  "--allow-read",
  // Full run access: Deno.kill (the suite kills and probes worker pids) needs it.
  "--allow-run",
  // Full write and net access: with read, they let process workers send over a Unix socket (the
  // "auto" transport), as in a host run with -A; conformance.test.ts also runs every process case
  // over pipes. The results go to the results folder.
  "--allow-write",
  "--allow-net",
  // Type-checked by `npm run typecheck`; the suite runs the built JavaScript.
  "--no-check",
  // One file at a time: the conformance cases measure parallel speedup.
  "test/conformance.test.ts",
  "test/deno.test.ts",
];
console.log(`$ deno ${args.join(" ")}`);

let output = "";
const end = await runLineChild({
  command: deno,
  args,
  cwd: packageDir,
  env: { ...process.env, NO_COLOR: "1" },
  onStdout: (line) => {
    console.log(line);
    output += `${line}\n`;
  },
  onStderr: (line) => console.error(line),
});
if (end.error) console.error(`@weft/deno: could not run ${deno}: ${end.error.message}`);
const code = end.code ?? 1;

const summary = /(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?(?: \| (\d+) ignored)?/.exec(output);
const skipLines = output.split("\n").filter((line) => line.startsWith("SKIP ["));
let passed = 0;
let failed = 0;
let skipped = 0;
if (summary) {
  passed = Number(summary[1]) - skipLines.length;
  failed = Number(summary[3]);
  skipped = Number(summary[5] ?? 0) + skipLines.length;
}
if (!summary || code !== 0) failed = Math.max(failed, 1);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(`${resultsDir}/runner-deno.json`, JSON.stringify({ runner: "deno", passed, failed, skipped }, null, 2));
console.log(`deno: ${passed} passed, ${failed} failed, ${skipped} skipped${skipLines.length ? ` (${skipLines.length} skipped by a declared capability, reasons above)` : ""}`);
process.exit(failed > 0 ? 1 : 0);
