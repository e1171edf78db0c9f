#!/usr/bin/env node
/**
 * `weft-conformance`: runs the conformance suite on this runtime (and, with --runtime, on others
 * started from their binaries, and in headless Chromium), then prints the matrix and the measured
 * speedup. Exits 1 when a case fails, 2 on a usage error.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import process from "node:process";
import { denoNpmCacheSpecifier } from "@weft/core/adapter";
import { fileURLToPath } from "node:url";
import { buildMatrix, matrixMarkdown, matrixText } from "../matrix.js";
import type { ResultFile } from "../results.js";
import { adapterPreload, builtInAdapter, hostHooks, hostRuntime, loadAdapter, moduleUrl } from "./adapter.js";
import { USAGE, UsageError, childArgs, parseArgs, type CliOptions } from "./args.js";
import { runBrowser } from "./browser.js";
import { runChild } from "./children.js";
import { encodeEvent, type RunEvent } from "./events.js";
import { runnerFailure } from "./failures.js";
import { Progress } from "./progress.js";
import { runCases } from "./run-cases.js";

const CLI_FILE = fileURLToPath(import.meta.url);
/** Set in a Deno run this command restarted with the flags Deno's thread workers need. */
const DENO_RESTARTED = "WEFT_CONFORMANCE_DENO_FLAGS";

/** WEFT_CONFORMANCE_PROBE_MS: how long the probe before the suite waits (the default is a case's default timeout). */
function probeTimeout(): { probeTimeoutMs?: number } {
  const ms = Number(process.env.WEFT_CONFORMANCE_PROBE_MS);
  return Number.isFinite(ms) && ms > 0 ? { probeTimeoutMs: ms } : {};
}

/** Runs the suite here; in a child run, every event goes to stdout for the parent. */
async function runHere(options: CliOptions, onEvent: (event: RunEvent) => void): Promise<ResultFile> {
  const runtime = hostRuntime();
  try {
    const adapter = options.adapter ? await loadAdapter(options.adapter) : await builtInAdapter(runtime);
    return await runCases({
      harness: { adapter, host: hostHooks(runtime), scale: options.scale, ...(options.kinds ? { kinds: options.kinds } : {}) },
      label: runtime,
      filter: options.filter,
      onEvent,
      bail: options.bail,
      ...probeTimeout(),
    });
  } catch (error) {
    return runnerFailure(runtime, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  }
}

/**
 * Deno ends the process when a thread worker is given permissions without
 * --unstable-worker-options, and a script cannot turn it on: start this command again with it.
 */
function restartDenoWithWorkerOptions(): number | undefined {
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  if (!deno || process.env[DENO_RESTARTED]) return undefined;
  // Run from Deno's npm cache (`deno run -A npm:@weft/conformance/…`, no project), this file
  // resolves its imports only when loaded through its npm: specifier again, and @weft/deno only
  // when preloaded by that specifier (see PRELOADED_ADAPTER).
  const fromCache = denoNpmCacheSpecifier(import.meta.url, "@weft/conformance");
  const main = fromCache ? ["--preload", adapterPreload(fromCache.replace("@weft/conformance@", "@weft/deno@")), `${fromCache}/weft-conformance`] : [CLI_FILE];
  const run = spawnSync(deno.execPath(), ["run", "-A", "--unstable-worker-options", ...main, ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, [DENO_RESTARTED]: "1" },
  });
  return run.status ?? 1;
}

async function main(): Promise<number> {
  let options: CliOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const restarted = restartDenoWithWorkerOptions();
  if (restarted !== undefined) return restarted;

  if (options.emitEvents) {
    let reportedDone = false;
    const file = await runHere(options, (event) => {
      reportedDone ||= event.type === "done";
      process.stdout.write(encodeEvent(event));
    });
    // The parent reads the file from the "done" event; a run that failed before any case needs one too.
    if (!reportedDone) process.stdout.write(encodeEvent({ type: "done", runtime: file.runtime, file }));
    return 0;
  }

  const host = hostRuntime();
  const runtimes = options.runtimes ?? [host];
  const progress = new Progress(options.progress, runtimes);
  const onEvent = (event: RunEvent) => progress.update(event);
  const adapterUrl = options.adapter ? moduleUrl(options.adapter) : undefined;
  const files: ResultFile[] = [];
  // One runtime at a time: the speedup case needs the machine's cores to itself.
  for (const runtime of runtimes) {
    if (options.bail && files.some((file) => file.results.some((result) => result.status === "fail"))) {
      // Said even with --no-progress: the matrix alone would not tell a skipped runtime from an absent one.
      progress.say(`--bail: a case failed, so ${runtimes.slice(runtimes.indexOf(runtime)).join(", ")} did not run.`);
      break;
    }
    if (runtime === host) files.push(await runHere(options, onEvent));
    else if (runtime === "browser") {
      if (options.adapter) progress.note("--adapter applies to node, deno and bun runs; the browser run tests @weft/browser.");
      files.push(await runBrowser({ scale: options.scale, filter: options.filter, bail: options.bail, onEvent, onNote: (line) => progress.say(line), ...(options.kinds ? { kinds: options.kinds } : {}), ...(options.binaries.browser ? { chrome: options.binaries.browser } : {}) }));
    } else {
      files.push(await runChild({ runtime, binary: options.binaries[runtime], cli: CLI_FILE, args: childArgs(options, adapterUrl), onEvent, onNote: (line) => progress.say(line) }));
    }
  }
  progress.end();

  const matrix = buildMatrix(files);
  if (options.json && options.json !== "-") writeFileSync(options.json, `${JSON.stringify({ ...matrix, files }, null, 2)}\n`);
  if (options.markdown && options.markdown !== "-") writeFileSync(options.markdown, matrixMarkdown(matrix));
  if (options.json === "-") process.stdout.write(`${JSON.stringify({ ...matrix, files }, null, 2)}\n`);
  else if (options.markdown === "-") process.stdout.write(matrixMarkdown(matrix));
  else process.stdout.write(`${matrixText(matrix)}\n`);
  const verdict = matrix.failed ? `FAILED: ${matrix.failed} case(s) failed.` : "Every case passed or was skipped for a declared reason.";
  process.stderr.write(`${verdict}\n`);
  return matrix.failed ? 1 : 0;
}

/** Resolves once what was written to stdout and stderr has been handed to the OS. */
const flushed = () =>
  Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write("", () => resolve()))));

// Exit explicitly (after flushing): a case that timed out may still hold workers open.
main().then(
  async (code) => {
    await flushed();
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`weft-conformance crashed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
