// Serves a Vite app (`vite preview` of its build, or the dev server) and opens it in headless
// Chromium: the page must show the text its README says it shows in its <output id="out">.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { launchChromium } from "@weft/chromium";
import { killGroup } from "./run.mjs";
import { spawn } from "node:child_process";

let launched;

/** One Chromium for the whole stage. */
async function browser() {
  launched ??= launchChromium();
  return (await launched).browser;
}

export async function closeBrowser() {
  if (launched) await (await launched).browser.close().catch(() => {});
}

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
async function startVite(vite, args, dir) {
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

export async function checkPage(vite, args, dir) {
  const expected = readFileSync(join(dir, "expected.txt"), "utf8").trim();
  const server = await startVite(vite, args, dir);
  const page = await (await browser()).newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  try {
    await page.goto(server.url);
    const shown = await page
      .waitForFunction(() => document.querySelector("#out")?.textContent?.trim() || undefined, undefined, { timeout: 90_000 })
      .then((handle) => handle.jsonValue())
      .catch(() => undefined);
    if (shown === undefined) throw new Error(`the page showed nothing in #out within 90 s\n${problems.join("\n")}\n${server.output()}`);
    if (shown.trim() !== expected) throw new Error(`the page showed:\n${shown}\nthe README says:\n${expected}\n${problems.join("\n")}`);
    if (problems.length) throw new Error(problems.join("\n"));
    return server.url;
  } finally {
    await page.close().catch(() => {});
    server.stop();
  }
}
