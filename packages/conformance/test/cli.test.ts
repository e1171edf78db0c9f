/**
 * The weft-conformance command, run as users run it: the built dist/cli.js in a child process,
 * against the real adapters (and headless Chromium), checking its exit code and its matrix.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, test } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const cli = join(packageDir, "dist/cli.js");
const repoBin = fileURLToPath(new URL("../../../node_modules/.bin", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "weft-conformance-cli-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the command with node from a scratch folder (as a user's project would), deno and bun on PATH as npx puts them. */
function weftConformance(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, "--no-progress", ...args], {
      cwd: scratch,
      env: { ...process.env, PATH: `${repoBin}${delimiter}${process.env.PATH ?? ""}`, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const LIFECYCLE = "lifecycle: start, join returns the target's value";
const matrixRow = (stdout: string, name: string) => stdout.split("\n").find((line) => line.includes(name));

test("--quick on the node adapter: exit 0, the matrix marks every kind, the speedup is printed", async () => {
  const run = await weftConformance(["--quick", "--filter", "lifecycle:", "--filter", "parallelism:"]);
  expect(run.code, run.stdout).toBe(0);
  expect(run.stdout).toMatch(/^node\/thread\s+node\/process\s+case$/m);
  expect(matrixRow(run.stdout, LIFECYCLE)).toMatch(/^✓\s+✓\s+lifecycle/);
  expect(run.stdout).toMatch(/node\/thread: [\d.]+× on \d+ workers \([\d.]+ chunks ran at once on average\)/);
  expect(run.stdout).not.toContain("✗");
});

test("--json and --markdown write the matrix; the JSON carries every cell and the result files", async () => {
  const json = join(scratch, "matrix.json");
  const markdown = join(scratch, "matrix.md");
  const run = await weftConformance(["--quick", "--kind", "process", "--filter", LIFECYCLE, "--json", json, "--markdown", markdown]);
  expect(run.code, run.stderr).toBe(0);
  const matrix = JSON.parse(readFileSync(json, "utf8"));
  expect(matrix.columns).toEqual(["node/process"]);
  expect(matrix.rows[0].cells["node/process"].status).toBe("pass");
  expect(matrix.files[0].runtime).toBe("node");
  expect(readFileSync(markdown, "utf8")).toContain(`| ${LIFECYCLE}`);
});

test("a case that fails makes the exit code 1 and the matrix shows ✗ with the reason", async () => {
  const run = await weftConformance(["--adapter", join(packageDir, "test/fixtures/broken-adapter.mjs"), "--filter", LIFECYCLE]);
  expect(run.code).toBe(1);
  expect(matrixRow(run.stdout, LIFECYCLE)).toMatch(/^✗\s+✗/);
  expect(run.stdout).toMatch(new RegExp(`Failed:\\n  ✗ \\[node/thread\\] ${LIFECYCLE.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}.*: \\w+`));
});

test("an adapter whose workers never become ready: every case fails at once, saying it was not run and why", async () => {
  const adapter = join(packageDir, "test/fixtures/hanging-adapter.mjs");
  const run = await weftConformance(["--adapter", adapter, "--filter", LIFECYCLE, "--filter", "values:"], { WEFT_CONFORMANCE_PROBE_MS: "2000" });
  expect(run.code, run.stdout).toBe(1);
  expect(matrixRow(run.stdout, LIFECYCLE)).toMatch(/^✗\s+✗/);
  expect(matrixRow(run.stdout, "values:")).toMatch(/^✗\s+✗/);
  for (const kind of ["thread", "process"]) {
    expect(run.stdout).toContain(`not run: a ${kind} worker did not run a trivial task (2 + 3) within 2000 ms`);
  }
  expect(run.stdout).not.toMatch(/timed out after/);
});

test("an adapter that breaks midway: the case that hung says so, and the later cases of the kind fail at once with the reason", async () => {
  const adapter = join(packageDir, "test/fixtures/breaks-later-adapter.mjs");
  const run = await weftConformance(["--adapter", adapter, "--kind", "thread", "--filter", "lifecycle:"], { WEFT_CONFORMANCE_PROBE_MS: "2000" });
  expect(run.code, run.stdout).toBe(1);
  expect(matrixRow(run.stdout, LIFECYCLE)).toMatch(/^✓/);
  const failed = run.stdout.split("Failed:\n")[1]!.split("\n").filter((line) => line.startsWith("  ✗"));
  expect(failed[0]).toMatch(/timed out after 30000 ms \(the case's limit\); then a thread worker did not run a trivial task \(2 \+ 3\) within 2000 ms: the adapter's thread workers stopped answering/);
  expect(failed.length).toBeGreaterThan(2);
  for (const line of failed.slice(1)) expect(line).toMatch(/not run: the adapter stopped answering during ".*" \(it timed out\)/);
});

test("--bail stops at the first failing case, and the runtimes after it do not run", async () => {
  const run = await weftConformance(["--bail", "--runtime", "node,bun", "--adapter", join(packageDir, "test/fixtures/broken-adapter.mjs"), "--filter", "lifecycle:"]);
  expect(run.code, run.stdout).toBe(1);
  const failed = run.stdout.split("Failed:\n")[1]!.split("\n").filter((line) => line.startsWith("  ✗"));
  expect(failed).toHaveLength(1);
  expect(run.stdout).toMatch(/^node\/thread\s+case$/m);
  expect(run.stderr).toContain("--bail: a case failed, so bun did not run.");
});

test("the parallelism check fails an adapter that runs one task at a time across its workers", async () => {
  const run = await weftConformance(["--quick", "--adapter", join(packageDir, "test/fixtures/serializing-adapter.mjs"), "--filter", "parallelism:"]);
  expect(run.code, run.stdout).toBe(1);
  for (const kind of ["thread", "process"]) {
    expect(run.stdout).toMatch(new RegExp(`\\[node/${kind}\\] parallelism: .*only [01]\\.\\d+ chunks ran at once on average`));
  }
});

test("--adapter with a module that is not an adapter: exit 1, naming what is missing", async () => {
  const run = await weftConformance(["--adapter", join(packageDir, "test/fixtures/not-an-adapter.mjs")]);
  expect(run.code).toBe(1);
  expect(run.stdout).toContain("AdapterLoadError");
  expect(run.stdout).toContain("`capabilities` is not an object");
  expect(run.stdout).toContain("`start` is not a function");
});

test("a usage error exits 2 with the usage text", async () => {
  const run = await weftConformance(["--runtime", "jvm"]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('--runtime takes node, deno, bun, browser; got "jvm"');
});

test("the example logging adapter passes through --adapter and logs every message", async () => {
  const log = join(scratch, "messages.jsonl");
  const run = await weftConformance(["--quick", "--adapter", join(packageDir, "examples/logging-adapter.mjs"), "--filter", "lifecycle:", "--filter", "pool: apply"], {
    WEFT_LOGGING_ADAPTER_FILE: log,
  });
  expect(run.code, run.stdout).toBe(0);
  expect(run.stdout).not.toContain("✗");
  const entries = readFileSync(log, "utf8").trim().split("\n").map((line) => JSON.parse(line));
  for (const event of ["start", "→", "←", "exit"]) expect(entries.some((entry) => entry.event === event), event).toBe(true);
});

test("--runtime node,deno,bun,browser runs the case on every runtime, each from its own binary", async () => {
  if (!existsSync(join(repoBin, "deno")) || !existsSync(join(repoBin, "bun"))) throw new Error(`deno and bun must be in ${repoBin} (npm install)`);
  const run = await weftConformance(["--quick", "--runtime", "node,deno,bun,browser", "--filter", LIFECYCLE, "--json", "-"]);
  expect(run.code, run.stdout).toBe(0);
  const matrix = JSON.parse(run.stdout);
  expect(matrix.columns).toEqual(["node/thread", "node/process", "deno/thread", "deno/process", "bun/thread", "bun/process", "browser/thread", "browser/process"]);
  for (const column of matrix.columns) expect(matrix.rows[0].cells[column].status, column).toBe("pass");
});

test("a runtime whose binary is missing is a failure, not a silent gap", async () => {
  const run = await weftConformance(["--runtime", "node,bun", "--bun", join(scratch, "no-such-bun"), "--filter", LIFECYCLE]);
  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/\[bun\/-\] the run itself.*no-such-bun/);
});
