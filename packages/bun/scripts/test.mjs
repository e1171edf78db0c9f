// Runs the conformance suite under Bun's own runner (bun:test) and reports what happened to the
// repo's results/ folder: runner-bun.json ({ runner, passed, failed, skipped }) always, and
// conformance-bun.json when the test file could not write it (Bun crashed or hung).
//
// It runs on Node, outside Bun, so that a crash of Bun itself still counts: every case that never
// reported is a failure. bun:test cannot mark a started test skipped, so the test file prints
// "SKIP <title>: <reason>" for a declared skip and this script counts that title as skipped.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { conformanceTests } from "@weft/conformance";
import { runLineChild } from "@weft/conformance/line-child";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const resultsDir = process.env.WEFT_RESULTS_DIR ? resolve(process.env.WEFT_RESULTS_DIR) : fileURLToPath(new URL("../../../results/", import.meta.url));
/** Longest the whole run may take before Bun is presumed hung and killed. */
const RUN_TIMEOUT_MS = 15 * 60_000;

/** The bun binary of the `bun` npm package (its install script puts the real binary in place). */
function bunBinary() {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve("bun/package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin.bun;
  return join(dirname(manifestPath), bin);
}

// The titles the suite registers; built from the same list the test file uses, so that a case
// Bun never reported (crash, hang) is known by name and counted as failed.
const stubAdapter = {
  runtime: "bun",
  capabilities: { sharedMemory: true, blockingWaitOnMain: true, processExitCodes: true, osProcesses: true, resourceLimits: false },
  cpuCount: () => 1,
  start() {
    throw new Error("not started: only the titles are needed here");
  },
};
const titles = conformanceTests({ adapter: stubAdapter }).map((t) => t.title);
const expected = new Set(titles);

const outcomes = new Map(); // title -> "pass" | "fail" | "skip"
const skipReasons = new Map(); // title -> reason
const startedAt = Date.now();

function scan(line) {
  const clean = line.replace(/\u001b\[[0-9;]*m/g, "").trimEnd();
  const result = /^\((pass|fail|skip|todo)\) (.*?)(?: \[[\d.]+m?s\])?$/.exec(clean);
  if (result && expected.has(result[2])) {
    outcomes.set(result[2], result[1] === "todo" ? "skip" : result[1]);
    return;
  }
  if (clean.startsWith("SKIP ")) {
    for (const title of expected) {
      if (clean.startsWith(`SKIP ${title}: `)) skipReasons.set(title, clean.slice(`SKIP ${title}: `.length));
    }
  }
}

let bun;
try {
  bun = bunBinary();
  if (!existsSync(bun)) throw new Error(`${bun} does not exist`);
} catch (error) {
  console.error(`@weft/bun: cannot find the bun binary of the "bun" npm package (${error.message}). Run npm install at the repo root, with the bun package's install script allowed.`);
  bun = undefined;
}

/** Bun's output goes on to this process's, and is scanned for outcomes line by line. */
const relay = (target) => (line) => {
  target.write(`${line}\n`);
  scan(line);
};
const end =
  bun === undefined
    ? undefined
    : await runLineChild({
        command: bun,
        // Scoped to ./test (and bunfig.toml's test root): bun test must not pick up other runtimes' test files.
        args: ["test", "./test"],
        cwd: packageDir,
        env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", WEFT_RESULTS_DIR: resultsDir },
        onStdout: relay(process.stdout),
        onStderr: relay(process.stderr),
        timeoutMs: RUN_TIMEOUT_MS,
        onTimeout: () => console.error(`@weft/bun: bun test ran longer than ${RUN_TIMEOUT_MS / 60_000} min; killing it.`),
      });
if (end?.error) console.error(`@weft/bun: could not run ${bun}: ${end.error.message}`);
const code = end === undefined || end.error || end.signal ? 1 : (end.code ?? 1);

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const title of titles) {
  const outcome = outcomes.get(title);
  if (outcome === undefined) missing.push(title);
  else if (outcome === "fail") failed++;
  else if (outcome === "skip" || skipReasons.has(title)) skipped++;
  else passed++;
}
failed += missing.length;
// Bun failed without any case failing (e.g. an error outside the tests): still a failure.
if (code !== 0 && failed === 0) failed = 1;

mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, "runner-bun.json"), JSON.stringify({ runner: "bun", passed, failed, skipped }, null, 2));

// The test file writes conformance-bun.json at the end of a run; if Bun died first, write it
// from what was seen so the matrix still shows the Bun column (missing cases as failures).
const conformanceFile = join(resultsDir, "conformance-bun.json");
if (!existsSync(conformanceFile) || statSync(conformanceFile).mtimeMs < startedAt) {
  const results = titles.map((title) => {
    const [, kind, name] = /^\[bun\/(\w+)\] (.*)$/.exec(title);
    const outcome = outcomes.get(title);
    const status = outcome === undefined || outcome === "fail" ? "fail" : skipReasons.has(title) || outcome === "skip" ? "skip" : "pass";
    const reason = outcome === undefined ? "bun test never reported this case (crashed or hung)" : skipReasons.get(title);
    return { case: name, kind, status, ...(reason ? { reason } : {}), ms: 0, measures: {} };
  });
  writeFileSync(conformanceFile, JSON.stringify({ runtime: "bun", finishedAt: new Date().toISOString(), results }, null, 2));
}

if (missing.length) console.error(`@weft/bun: ${missing.length} case(s) never reported:\n  ${missing.join("\n  ")}`);
for (const [title, reason] of skipReasons) console.log(`skipped ${title}: ${reason}`);
console.log(`bun: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;
