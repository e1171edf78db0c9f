import { spawn } from "node:child_process";
import { describe, expect, test } from "vitest";

// Shutdown as a user's program sees it: a host script that uses a process pool and simply ends.
// Each script prints its workers' pids as JSON on its last line; the test checks the host exited
// by itself (no process.exit) and that no worker process outlived it.

const ENTRY = new URL("../dist/index.js", import.meta.url).href;

function runHost(body: string, timeoutMs = 15_000): Promise<{ code: number | null; ms: number; pids: number[]; stderr: string }> {
  const script = `
    import { Pool } from ${JSON.stringify(ENTRY)};
    const pids = [];
    ${body}
    console.log(JSON.stringify(pids));
  `;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the host did not exit within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split("\n").pop() ?? "[]";
      resolve({ code, ms: performance.now() - started, pids: JSON.parse(last), stderr });
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function allGone(pids: number[], withinMs = 10_000): Promise<boolean> {
  const end = performance.now() + withinMs;
  while (performance.now() < end) {
    if (pids.every((pid) => !alive(pid))) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return pids.every((pid) => !alive(pid));
}

const collectPids = `
  const pool = new Pool({ kind: "process", size: 2 });
  pool.addEventListener("workerstart", (e) => pids.push(e.detail.pid));
  await Promise.all([pool.apply((ms) => new Promise((r) => setTimeout(() => r(ms), ms)), [50]), pool.apply((ms) => new Promise((r) => setTimeout(() => r(ms), ms)), [50])]);
`;

describe("host shutdown (Node)", () => {
  test("after close() the host exits by itself and no worker process remains", async () => {
    const host = await runHost(`${collectPids} await pool.close();`);
    expect(host.code).toBe(0);
    expect(host.pids).toHaveLength(2);
    expect(await allGone(host.pids)).toBe(true);
  });

  test("after terminate() with tasks running, the host exits and no worker process remains", async () => {
    const host = await runHost(`${collectPids}
      const running = pool.apply((ms) => new Promise((r) => setTimeout(r, ms)), [60_000]);
      running.catch(() => {});
      await pool.terminate();
      const error = await running.then(() => "resolved", (e) => e.name);
      if (error !== "PoolClosedError") throw new Error("expected PoolClosedError, got " + error);`);
    expect(host.code).toBe(0);
    expect(await allGone(host.pids)).toBe(true);
  });

  test("a host that forgets to close its pool still exits, leaving no orphan process", async () => {
    const host = await runHost(collectPids);
    expect(host.code).toBe(0);
    expect(host.ms).toBeLessThan(10_000);
    expect(await allGone(host.pids)).toBe(true);
  });

  test("a host killed with SIGKILL leaves no orphan process", async () => {
    const script = `
      import { Pool } from ${JSON.stringify(ENTRY)};
      const pool = new Pool({ kind: "process", size: 2 });
      const pids = [];
      pool.addEventListener("workerstart", (e) => pids.push(e.detail.pid));
      pool.apply((ms) => new Promise((r) => setTimeout(r, ms)), [60_000]);
      pool.apply((ms) => new Promise((r) => setTimeout(r, ms)), [60_000]);
      setTimeout(() => console.log(JSON.stringify(pids)), 500);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const pids = await new Promise<number[]>((resolve) => child.stdout.once("data", (chunk) => resolve(JSON.parse(String(chunk)))));
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    child.kill("SIGKILL");
    expect(await allGone(pids)).toBe(true);
  });
});
