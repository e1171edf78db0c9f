// Serves a Vite app (`vite preview` of its build, or the dev server) and opens it in headless
// Chromium (page.mjs).
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { showsOnPage } from "./page.mjs";
import { killGroup } from "./run.mjs";
import { spawn } from "node:child_process";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts `vite <args>` and resolves once it listens; returns { url, stop, output }. */
export async function startVite(vite, args, dir) {
  const port = await freePort();
  // No colours: under CI=true Vite colours the port apart from its host (":\x1b[1m4173"), which hides it from the check below.
  const env = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };
  const child = spawn(vite, [...args, "--host", "127.0.0.1", "--port", String(port), "--strictPort"], { cwd: dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const url = `http://127.0.0.1:${port}/`;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vite ${args.join(" ")} did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk;
      if (output.replace(/\x1b\[[0-9;]*m/g, "").includes(`:${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`vite ${args.join(" ")} exited with ${code}:\n${output}`));
    });
  });
  return { url, output: () => output, stop: () => killGroup(child) };
}

/** `vite <args>` serves the app in `dir`; the page must show expected.txt (or `expected`). */
export async function checkPage(vite, args, dir, { expected, allowed } = {}) {
  const server = await startVite(vite, args, dir);
  try {
    await showsOnPage(server.url, expected ?? readFileSync(join(dir, "expected.txt"), "utf8").trim(), server.output, { allowed });
    return server.url;
  } finally {
    server.stop();
  }
}
