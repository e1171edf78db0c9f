// Scale, at a size for every test run: one client pushes 30,000 tiny jobs through imap to two
// real worker nodes; every job settles with its own result, the client's heap (after a full
// collection) stays within half of what it was after the warm-up, and Redis returns to its keys
// and memory. The same script runs the million: `npm run cluster:scale` (see the README).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, test } from "vitest";
import { packageDir, within } from "./support/cluster.js";

const JOBS = 30_000;

test(`${JOBS.toLocaleString()} jobs through imap: all settle, the client's heap stays bounded, Redis returns to its baseline`, { timeout: 600_000 }, async () => {
  const child = spawn(process.execPath, ["--expose-gc", join(packageDir, "scripts/scale.mjs"), `--jobs=${JOBS}`], { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const code = await within(new Promise((resolve) => child.on("exit", resolve)), 590_000, "the scale run ends").finally(() => child.kill("SIGKILL"));
  const line = /^SCALE (.*)$/m.exec(stdout)?.[1];
  expect(line, `no report; stderr:\n${stderr}`).toBeDefined();
  const report = JSON.parse(line!);
  console.log(stderr.split("\n").filter((text) => !text.startsWith("  ")).join("\n"));
  expect(report.settled).toBe(JOBS);
  expect(report.wrong).toBe(0);
  expect(report.stats).toMatchObject({ completed: JOBS + report.warmup, failed: 0, cancelled: 0, queued: 0, running: 0 });
  // Bounded relative to the baseline of the same run: it holds the jobs in flight (the imap
  // buffer), not the jobs done.
  expect(report.heap.growth).toBeLessThanOrEqual(0.5 * report.heap.before);
  expect(report.redis.after.keys).toBeLessThanOrEqual(report.redis.before.keys);
  expect(report.redis.after.memory - report.redis.before.memory).toBeLessThanOrEqual(1024 * 1024);
  expect(report.ok).toBe(true);
  expect(code).toBe(0);
});
