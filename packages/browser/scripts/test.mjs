#!/usr/bin/env node
/**
 * `npm test` for @weft/browser: runs every @weft/conformance case inside real headless Chromium,
 * against the built package, then checks the same suite on a page that is NOT cross-origin
 * isolated (and the errors weft gives there), then builds a tiny Vite app that uses
 * @weft/browser and runs it. Prints each result, writes results/conformance-browser*.json and
 * results/runner-browser.json, and exits non-zero on any failure — also when it crashes, so the
 * closing count shows the failure.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "@weft/chromium";
import { serve } from "./serve.mjs";

const packageDir = fileURLToPath(new URL("../", import.meta.url));
const repo = resolve(packageDir, "../..");
const resultsDir = process.env.WEFT_RESULTS_DIR ? resolve(process.env.WEFT_RESULTS_DIR) : join(repo, "results");
const debug = Boolean(process.env.WEFT_DEBUG);
/** How long a page may stay silent beyond the running case's own timeout before it counts as hung. */
const HANG_GRACE_MS = 15_000;

const counts = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
const skips = [];

function record(title, status, reason, ms) {
  if (status === "pass") {
    counts.passed++;
    console.log(`  ✓ ${title}${ms !== undefined ? ` (${ms} ms)` : ""}`);
  } else if (status === "skip") {
    counts.skipped++;
    skips.push(`${title}: ${reason}`);
    console.log(`  ↓ SKIP ${title}: ${reason}`);
  } else {
    counts.failed++;
    failures.push(`${title}: ${reason}`);
    console.log(`  ✗ FAIL ${title}: ${reason}`);
  }
}

function writeResult(name, data) {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, name), JSON.stringify(data, null, 2));
}

function writeRunnerFile() {
  writeResult("runner-browser.json", { runner: "browser", ...counts });
}

function requireBuilt() {
  const needed = [
    "packages/browser/dist/index.js",
    "packages/browser/dist/thread-entry.js",
    "packages/browser/dist/process-entry.js",
    "packages/core/dist/index.js",
    "packages/conformance/dist/index.js",
    "packages/conformance/dist/fixtures/tasks.js",
  ];
  const missing = needed.filter((file) => !existsSync(join(repo, file)));
  if (missing.length) throw new Error(`Build first (npm run build at the repo root); missing: ${missing.join(", ")}`);
}

/** The conformance page: the built packages resolved by an import map (the worker entries need none). */
function conformancePage() {
  const importMap = {
    imports: {
      "@weft/browser": "/packages/browser/dist/index.js",
      "@weft/core": "/packages/core/dist/index.js",
      "@weft/core/adapter": "/packages/core/dist/adapter.js",
      "@weft/core/transport": "/packages/core/dist/transport.js",
      "@weft/core/testing": "/packages/core/dist/testing.js",
      "@weft/conformance": "/packages/conformance/dist/index.js",
    },
  };
  return `<!doctype html>
<meta charset="utf-8">
<title>weft conformance</title>
<script type="importmap">${JSON.stringify(importMap)}</script>
<script type="module" src="/packages/browser/test/conformance.page.js"></script>
`;
}

/**
 * Opens `url` in a fresh context and relays the page's reports until it says it is done.
 * Resolves the page's final `done` event, or undefined if the page died or hung (recorded as failures).
 */
async function runConformancePage(browser, url, label) {
  const context = await browser.newContext();
  const page = await context.newPage();
  let planned = 0;
  let reported = 0;
  let current;
  let lastSignal = Date.now();
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));

  await page.exposeFunction("weftReport", (event) => {
    lastSignal = Date.now();
    if (event.type === "plan") {
      planned = event.count;
      console.log(`\n${label}: ${planned} tests (${url})`);
    } else if (event.type === "start") {
      current = { title: event.title, timeoutMs: event.timeoutMs, since: Date.now() };
    } else if (event.type === "result") {
      current = undefined;
      reported++;
      record(event.title, event.status, event.reason, event.ms);
      if (event.status === "fail" && event.stack && debug) console.log(event.stack.replace(/^/gm, "      "));
    } else if (event.type === "done") {
      finish(event);
    }
  });
  page.on("pageerror", (error) => {
    console.log(`  page error: ${error.message}`);
    if (planned === 0) finish(undefined);
  });
  page.on("console", (message) => {
    if (debug) console.log(`  [console.${message.type()}] ${message.text()}`);
  });
  page.on("crash", () => {
    console.log("  the page crashed");
    finish(undefined);
  });

  const watchdog = setInterval(() => {
    const now = Date.now();
    if (planned === 0 && now - lastSignal > 30_000) {
      console.log("  the page never started the suite");
      finish(undefined);
    } else if (current && now - current.since > current.timeoutMs + HANG_GRACE_MS) {
      console.log(`  the page stopped responding during ${current.title}`);
      finish(undefined);
    }
  }, 1000);

  await page.goto(url);
  const done = await finished;
  clearInterval(watchdog);
  if (!done) {
    if (current) record(current.title, "fail", "the page hung or crashed while running it");
    const notRun = Math.max(planned - reported - (current ? 1 : 0), planned === 0 ? 1 : 0);
    for (let i = 0; i < notRun; i++) record(`${label}: a test that never ran`, "fail", "the page hung or crashed before it");
  }
  await context.close();
  return done;
}

/** Builds test/vite-app with Vite and checks, in Chromium, that its Pool, Thread and Process work. */
async function runViteApp(browser) {
  const title = "[browser] vite: a Vite-built app using @weft/browser emits the worker entries and runs Pool, Thread and Process";
  console.log("\nvite app");
  const outDir = mkdtempSync(join(tmpdir(), "weft-vite-app-"));
  try {
    const { build } = await import("vite");
    const root = join(packageDir, "test/vite-app");
    await build({ root, configFile: join(root, "vite.config.js"), logLevel: "warn", build: { outDir, emptyOutDir: true } });
    const assets = readdirSync(join(outDir, "assets"));
    const entries = ["thread-entry", "process-entry"].filter((name) => !assets.some((file) => file.startsWith(name)));
    if (entries.length) throw new Error(`Vite did not emit the worker entries ${entries.join(", ")} (assets: ${assets.join(", ")})`);
    const server = await serve({ root: outDir, isolated: true });
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on("pageerror", (error) => console.log(`  page error: ${error.message}`));
      if (debug) page.on("console", (message) => console.log(`  [console.${message.type()}] ${message.text()}`));
      await page.goto(`${server.url}/index.html`);
      await page.waitForFunction(() => window.weftViteResult !== undefined, null, { timeout: 30_000 });
      const result = await page.evaluate(() => window.weftViteResult);
      await context.close();
      if (result.error) throw new Error(`the app failed: ${result.error}`);
      const expected = { squares: "1,4,9,16", inline: 42, fromModule: 5, process: "process:21", shared: 5, isolated: true };
      for (const [key, value] of Object.entries(expected)) {
        const actual = Array.isArray(result[key]) ? result[key].join() : result[key];
        if (actual !== value) throw new Error(`${key}: expected ${JSON.stringify(value)}, got ${JSON.stringify(result[key])}`);
      }
      record(title, "pass");
    } finally {
      await server.close();
    }
  } catch (error) {
    record(title, "fail", error instanceof Error ? error.message : String(error));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

async function main() {
  requireBuilt();
  const { browser, executablePath, source } = await launchChromium();
  console.log(`Chromium ${browser.version()} from ${source}: ${executablePath}`);
  const pages = { "/": conformancePage() };
  const isolatedServer = await serve({ root: repo, pages, isolated: true });
  const plainServer = await serve({ root: repo, pages, isolated: false });
  try {
    const isolated = await runConformancePage(browser, `${isolatedServer.url}/?isolated=1`, "cross-origin isolated page (COOP + COEP)");
    if (isolated) writeResult("conformance-browser.json", isolated.log);
    const plain = await runConformancePage(browser, `${plainServer.url}/?isolated=0`, "page WITHOUT cross-origin isolation");
    if (plain) writeResult("conformance-browser-not-isolated.json", plain.log);
    await runViteApp(browser);
  } finally {
    await browser.close();
    await isolatedServer.close();
    await plainServer.close();
  }
}

let crashed;
try {
  await main();
} catch (error) {
  crashed = error;
  counts.failed++;
  failures.push(`the runner crashed: ${error instanceof Error ? error.stack : String(error)}`);
}
writeRunnerFile();
console.log(`\nbrowser: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
if (skips.length) console.log(`skipped (reason printed):\n${skips.map((s) => `  - ${s}`).join("\n")}`);
if (failures.length) console.log(`failed:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
if (crashed) console.error(crashed);
process.exit(counts.failed > 0 ? 1 : 0);
