/**
 * weft's demo: one program for every runtime. `node dist/main.js`, `deno run … dist/main.js` and
 * `bun run dist/main.js` all run the same code; `--runtime all` launches each runtime's binary in
 * turn and combines what they measured.
 */
import { existsSync, realpathSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";
import { type Cli, USAGE, parseCli } from "./cli.js";
import { formatHeader, formatSection, formatSummary, speedupSvg } from "./report.js";
import { DemoError, type RuntimeName, commandLineArgs, currentRuntime, env, err, exit, out } from "./runtime.js";
import type { CombinedReport, RuntimeReport } from "./types.js";

const APP_DIR = fileURLToPath(new URL("../", import.meta.url));
const REPO_DIR = resolve(APP_DIR, "../..");
const MAIN = fileURLToPath(import.meta.url);

function outDir(cli: Cli): string {
  return cli.out ? resolve(cli.out) : join(REPO_DIR, "results", "demo");
}

/** The measuring half imports weft; loading it is where a missing adapter shows up. */
async function loadDemo(): Promise<typeof import("./demo.js")> {
  try {
    return await import("./demo.js");
  } catch (error) {
    const first = String((error as Error)?.message ?? error).split("\n")[0];
    throw new DemoError(`weft could not load its ${currentRuntime()} adapter (is it built?): ${first}`, 1);
  }
}

async function runHere(cli: Cli): Promise<void> {
  const demo = await loadDemo();
  const runtime = currentRuntime();
  out(formatHeader({ ...demo.header(), quick: cli.quick }));
  const report = await demo.runDemo({
    quick: cli.quick,
    workers: cli.workers,
    ioWorkers: cli.ioWorkers,
    parts: cli.parts,
    onSection: (name, r) => out(`\n${formatSection(name, r)}`),
  });
  const dir = outDir(cli);
  await mkdir(dir, { recursive: true });
  const json = join(dir, `demo-${runtime}.json`);
  await writeFile(json, JSON.stringify(report, null, 2));
  const written = [json];
  if (!cli.child && (report.cpu || report.io)) {
    const svg = join(dir, `speedup-${runtime}.svg`);
    await writeFile(svg, speedupSvg([report]));
    written.push(svg);
  }
  out(`\nWritten: ${written.join(", ")}\n`);
}

// ----- the all-runtimes launcher ----------------------------------------------------------------

/** A runtime's binary: the one running now, node_modules/.bin (deno and bun come from npm), or PATH. */
function findBinary(runtime: RuntimeName): string | undefined {
  if (runtime === currentRuntime() && runtime === "node") return process.execPath;
  let dir = APP_DIR;
  for (;;) {
    const candidate = join(dir, "node_modules", ".bin", runtime);
    if (existsSync(candidate)) return candidate;
    const parent = resolve(dir, "..");
    if (parent === dir) break;
    dir = parent;
  }
  for (const p of (env("PATH") ?? "").split(delimiter)) {
    if (p && existsSync(join(p, runtime))) return join(p, runtime);
  }
  return undefined;
}

/** How each runtime runs the built program. */
export function commandFor(runtime: RuntimeName, binary: string, args: string[], out: string): [string, string[]] {
  if (runtime === "deno") {
    // Least privilege: weft's thread workers take their own permissions through the unstable
    // Worker options; the program reads its modules, writes its results, serves and fetches on
    // loopback, starts `deno` children (the process pool), reads env and the CPU count.
    const real = realpathSync(binary);
    return [binary, [
      "run", "--no-prompt", "--unstable-worker-options", "--allow-read", `--allow-write=${out}`, "--allow-net=127.0.0.1",
      "--allow-env", "--allow-sys", `--allow-run=${real}`, MAIN, ...args,
    ]];
  }
  if (runtime === "bun") return [binary, ["run", MAIN, ...args]];
  return [binary, [MAIN, ...args]];
}

/** The user's arguments, minus the ones that only concern the launcher. */
function childArgs(args: string[], dir: string): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--runtime" || arg === "--out") {
      i++;
      continue;
    }
    if (arg.startsWith("--runtime=") || arg.startsWith("--out=")) continue;
    kept.push(arg);
  }
  return [...kept, "--out", dir, "--child"];
}

function runChild(command: string, args: string[]): Promise<{ code: number | null; lastError: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(command, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...(process.stderr.isTTY ? { WEFT_DEMO_PROGRESS: "1" } : {}), NO_COLOR: "1" },
    });
    let stderrTail = "";
    child.stdout!.on("data", (chunk: Buffer) => out(chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      err(text);
      stderrTail = (stderrTail + text).slice(-4000);
    });
    child.on("error", (error) => resolveRun({ code: 127, lastError: error.message }));
    child.on("close", (code) => {
      const lines = stderrTail.split(/[\r\n]/).map((l) => l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").trim()).filter(Boolean);
      resolveRun({ code, lastError: (lines.at(-1) ?? "").replace(/^weft-demo: /, "") });
    });
  });
}

async function launch(cli: Cli, runtimes: RuntimeName[]): Promise<void> {
  const dir = outDir(cli);
  await mkdir(dir, { recursive: true });
  const combined: CombinedReport = { date: new Date().toISOString(), runtimes: [], skipped: [] };
  const args = childArgs(commandLineArgs(), dir);
  for (const runtime of runtimes) {
    out(`\n━━ ${runtime} ${"━".repeat(60)}\n`);
    const binary = findBinary(runtime);
    if (!binary) {
      const reason = `no ${runtime} binary in node_modules/.bin or on PATH`;
      out(`${runtime}: skipped — ${reason}\n`);
      combined.skipped.push({ runtime, reason });
      continue;
    }
    const json = join(dir, `demo-${runtime}.json`);
    await rm(json, { force: true });
    const [command, commandArgs] = commandFor(runtime, binary, args, dir);
    const { code, lastError } = await runChild(command, commandArgs);
    if (code === 0 && existsSync(json)) {
      combined.runtimes.push(JSON.parse(await readFile(json, "utf8")) as RuntimeReport);
    } else {
      const reason = lastError || `exited with code ${code}`;
      out(`${runtime}: skipped — ${reason}\n`);
      combined.skipped.push({ runtime, reason });
    }
  }
  const jsonPath = join(dir, "demo.json");
  await writeFile(jsonPath, JSON.stringify(combined, null, 2));
  const written = [jsonPath];
  if (combined.runtimes.some((r) => r.cpu || r.io)) {
    const svgPath = join(dir, "speedup.svg");
    await writeFile(svgPath, speedupSvg(combined.runtimes));
    written.push(svgPath);
  }
  out(formatSummary(combined));
  out(`Written: ${written.join(", ")}\n`);
  if (combined.runtimes.length === 0) throw new DemoError(`no runtime could run the demo (${combined.skipped.map((s) => s.runtime).join(", ")}).`, 1);
}

/** `serve` and `browser` on another runtime: hand over to it, with the terminal. */
async function delegate(runtime: RuntimeName): Promise<void> {
  const binary = findBinary(runtime);
  if (!binary) throw new DemoError(`no ${runtime} binary in node_modules/.bin or on PATH.`, 1);
  const [command, args] = commandFor(runtime, binary, childArgs(commandLineArgs(), "").slice(0, -3), REPO_DIR);
  const code = await new Promise<number>((done) => {
    const child = spawn(command, args, { stdio: "inherit" });
    child.on("error", () => done(127));
    child.on("close", (c) => done(c ?? 1));
  });
  if (code !== 0) exit(code);
}

// ----- serve and browser ------------------------------------------------------------------------

async function serveEmbedding(cli: Cli): Promise<void> {
  const demo = await loadDemo();
  const { Pool } = await import("weftjs");
  const tasks = (await import(demo.TASKS_URL.href)) as typeof import("./tasks.js");
  const heavyN = 2_000_000;
  const pool = cli.mode === "pool" ? new Pool<typeof import("./tasks.js")>({ kind: "thread", size: cli.workers, module: demo.TASKS_URL }) : undefined;
  const server = await demo.startEmbedServer(tasks, { mode: cli.mode, heavyN, port: cli.port ?? 8080, pool });
  out(
    `Serving on ${server.url} (${currentRuntime()}): GET /cheap answers at once; GET /heavy counts the primes below ` +
      `${heavyN.toLocaleString("en-US")} ${pool ? `on a thread pool of ${pool.size}` : "on the event loop (--mode inline)"}. Ctrl-C stops it.\n`,
  );
}

async function serveBrowser(cli: Cli): Promise<void> {
  const { serveWeb } = await import("./web-server.js");
  const server = await serveWeb(cli.port ?? 5180);
  out(`The browser demo is served cross-origin isolated at ${server.url}/ — open it in a browser. Ctrl-C stops it.\n`);
}

async function main(): Promise<void> {
  const cli = parseCli(commandLineArgs());
  if (cli.command === "help") {
    out(`${USAGE}\n`);
    return;
  }
  const here = currentRuntime();
  const elsewhere = cli.runtimes && !(cli.runtimes.length === 1 && cli.runtimes[0] === here);
  if (cli.command === "demo") {
    if (elsewhere) return launch(cli, cli.runtimes!);
    return runHere(cli);
  }
  if (elsewhere) return delegate(cli.runtimes![0]!);
  if (cli.command === "serve") return serveEmbedding(cli);
  return serveBrowser(cli);
}

// Awaited at the top level: Bun ends a program whose only pending work is a promise that a
// top-level await does not hold.
try {
  await main();
} catch (error: unknown) {
  if (error instanceof DemoError) {
    err(`weft-demo: ${error.message}\n`);
    exit(error.exitCode);
  }
  const e = error as Error;
  err(`weft-demo: ${e?.name ?? "Error"}: ${String(e?.message ?? e).split("\n")[0]}${env("WEFT_DEBUG") ? `\n${e?.stack}` : " (WEFT_DEBUG=1 shows the stack)"}\n`);
  exit(1);
}
