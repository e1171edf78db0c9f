// Runs a command and collects its output; a watchdog ends it (and its children) if it hangs.
import { spawn } from "node:child_process";

/** @returns {Promise<{ code: number | null, signal: string | null, stdout: string, stderr: string, timedOut: boolean }>} */
export function run(command, args, { cwd, env = process.env, timeoutMs = 120_000, input } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdin.end(input ?? "");
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}${error.message}\n`, timedOut });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Ends a detached child and everything it started. */
export function killGroup(child) {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** A one-paragraph account of a failed run, for the failure line. */
export function describe(result, what) {
  const why = result.timedOut ? "timed out" : result.signal ? `died of ${result.signal}` : `exited with ${result.code}`;
  const output = `${result.stderr}\n${result.stdout}`.trim().split("\n").slice(-25).join("\n");
  return `${what} ${why}${output ? `:\n${output}` : ""}`;
}
