/**
 * Parent death as a user's program meets it: a host whose process workers are busy in a loop that
 * never yields is killed with SIGKILL; no worker may outlive it. And handles: closing a pool
 * releases every pipe and handle it opened. Linux only (CPU time and descriptors from /proc).
 */
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { expect, test } from "bun:test";
import { Pool } from "@weft/bun";

const FIXTURE = new URL("./fixtures/busy-parent.ts", import.meta.url).pathname;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** CPU time (user + system, in clock ticks) a process has used so far. */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const mode of ["Pool", "Pool with a run timeout", "Process"]) {
  test.skipIf(process.platform !== "linux")(`[bun/process] a host killed with SIGKILL while its ${mode} workers are CPU-bound leaves no orphan process`, async () => {
    const host = spawn(process.execPath, [FIXTURE, mode], { stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    host.stdout.on("data", (chunk) => (text += chunk));
    let pids: number[] = [];
    try {
      while (!/PIDS (\[[^\]]*\])/.test(text)) await sleep(50);
      pids = JSON.parse(/PIDS (\[[^\]]*\])/.exec(text)![1]!);
      expect(pids).toHaveLength(1);
      // Busy in the task, not idle on the event loop: each has used another second of CPU.
      const start = pids.map(cpuTicks);
      while (!pids.every((pid, i) => cpuTicks(pid) - start[i]! >= 100)) await sleep(100);
      host.kill("SIGKILL");
      // About a second by design (the watchdog looks every 200 ms); generous for a loaded machine.
      const deadline = Date.now() + 15_000;
      while (pids.some(alive) && Date.now() < deadline) await sleep(50);
      expect(pids.filter(alive)).toEqual([]);
    } finally {
      for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
      host.kill("SIGKILL");
    }
  }, 60_000);
}

const openFds = () => readdirSync("/proc/self/fd").length;

for (const kind of ["process", "thread"] as const) {
  test.skipIf(process.platform !== "linux")(`[bun/${kind}] 40 pools opened and closed release what they opened`, async () => {
    const cycle = async () => {
      const pool = new Pool({ kind, size: 1 });
      expect(await pool.apply((n: number) => n + 1, [1])).toBe(2);
      await pool.close();
    };
    await cycle(); // warm-up: what the runtime opens once
    const before = openFds();
    for (let i = 0; i < 40; i++) await cycle();
    await sleep(200);
    // A few descriptors the runtime may open once, lazily; not one per pool.
    expect(openFds() - before).toBeLessThanOrEqual(5);
  }, 120_000);
}
