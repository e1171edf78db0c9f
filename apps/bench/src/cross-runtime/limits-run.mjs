// Runs limits-entry.mjs under deno and bun, one after the other, for src/limits.mjs's
// "runtimes" rows; resolves [{ runtime, report } | { runtime, skip }].
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MARKER } from "./bench.mjs";
import { commandFor } from "./run.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ENTRY = join(HERE, "limits-entry.mjs");

export async function runtimeLimits({ quick, log }) {
  const results = [];
  for (const runtime of ["deno", "bun"]) {
    const command = commandFor(runtime, quick ? ["--quick"] : [], ENTRY);
    if (!Array.isArray(command)) {
      results.push({ runtime, skip: command.skip });
      continue;
    }
    log(`   ${runtime}: running ${ENTRY}`);
    const [binary, args] = command;
    const out = await new Promise((done) => {
      const child = spawn(binary, args, { cwd: resolve(HERE, "../.."), stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, NO_COLOR: "1" } });
      let stdout = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.on("exit", (code) => done({ code, stdout }));
    });
    const line = out.stdout.split("\n").find((l) => l.startsWith(MARKER));
    results.push(line ? { runtime, report: JSON.parse(line.slice(MARKER.length)) } : { runtime, skip: `exited with code ${out.code} without a report` });
  }
  return results;
}
