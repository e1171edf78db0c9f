import { execFile } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";

// Issue 14 item 6: a pending timed wait of a threading primitive on the main thread keeps the
// host alive until it returns, like a timer. Each runtime runs a real host script that awaits
// one timed wait after another with nothing else pending, printing after each; the host must
// print every line and exit 0 by itself (before the fix it exited early: 0, or 13 on Node).

const CORE = new URL("../../core/dist/index.js", import.meta.url).href;
const WAIT_MS = 150;

const SCRIPT = `
import { threading } from ${JSON.stringify(CORE)};
const ms = ${WAIT_MS};
const say = (what, value) => console.log(what + "=" + String(value));

const lock = new threading.Lock();
await lock.acquire();
say("Lock.acquire", await lock.acquire(ms));

say("Event.wait", await new threading.Event().wait(ms));
say("Semaphore.acquire", await new threading.Semaphore(0).acquire(ms));
const bounded = new threading.BoundedSemaphore(1);
await bounded.acquire();
say("BoundedSemaphore.acquire", await bounded.acquire(ms));

const cond = new threading.Condition(new threading.Lock());
await cond.acquire();
say("Condition.wait", await cond.wait(ms));
say("Condition.waitFor", await cond.waitFor(() => false, ms));
cond.release();

const held = new threading.Semaphore(1);
await held.acquire();
say("Semaphore(held).acquire", await held.acquire(ms));

const barrier = new threading.Barrier(2);
say("Barrier.wait", await barrier.wait(ms).then(String, (e) => e.name));

const value = new threading.Value("int32", 0);
await value.getLock().acquire();
say("Value.getLock().acquire", await value.getLock().acquire(ms));
say("done", true);
`;

const EXPECTED = [
  "Lock.acquire=false",
  "Event.wait=false",
  "Semaphore.acquire=false",
  "BoundedSemaphore.acquire=false",
  "Condition.wait=false",
  "Condition.waitFor=false",
  "Semaphore(held).acquire=false",
  "Barrier.wait=BrokenBarrierError",
  "Value.getLock().acquire=false",
  "done=true",
];

const require = createRequire(import.meta.url);
function binaryOf(pkg: string, name: string): string {
  return realpathSync(join(fileURLToPath(new URL(".", `file://${require.resolve(`${pkg}/package.json`)}`)), name));
}

const dir = mkdtempSync(join(tmpdir(), "weft-liveness-"));
const scriptPath = join(dir, "host.mjs");
writeFileSync(scriptPath, SCRIPT);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUNTIMES: Record<string, () => [string, string[]]> = {
  node: () => [process.execPath, [scriptPath]],
  deno: () => [binaryOf("deno", "deno"), ["run", "--no-prompt", "--allow-read", scriptPath]],
  bun: () => [binaryOf("bun", "bin/bun.exe"), [scriptPath]],
};

/** Runs a host to its end (SIGKILL after `timeoutMs`): its exit code and output. */
function run(command: string, args: string[], timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      resolve({ code, stdout, stderr: error !== null && code === null ? `${stderr}\n${error.message}` : stderr });
    });
  });
}

describe("a timed wait on the main thread keeps the host alive until it returns", () => {
  for (const [runtime, command] of Object.entries(RUNTIMES)) {
    test(runtime, async () => {
      const [bin, args] = command();
      const { code, stdout, stderr } = await run(bin, args);
      expect({ lines: stdout.trim().split("\n"), code }, stderr).toEqual({ lines: EXPECTED, code: 0 });
    }, 60_000);
  }
});
