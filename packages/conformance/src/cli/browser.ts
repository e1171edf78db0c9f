/**
 * The `--runtime browser` run: serves @weft/browser, @weft/core and this package on a
 * cross-origin isolated origin (COOP + COEP, so the page gets SharedArrayBuffer), opens the suite's
 * page in headless Chromium — found the way weft's own tests find it, through
 * ./chromium.ts — and collects the events the page posts back.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, sep } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { WorkerKind } from "@weft/core";
import type { Scale } from "../harness.js";
import type { ResultFile } from "../results.js";
import { chromiumArgs, findChromium } from "./chromium.js";
import type { RunEvent } from "./events.js";
import { runnerFailure } from "./failures.js";

/** How long the page may stay silent beyond the running case's own timeout before it counts as hung. */
const HANG_GRACE_MS = 20_000;
const ISOLATION_HEADERS = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };
const TYPES: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".map": "application/json" };

/** The folder of an installed package, from where its entry resolves. */
function packageRoot(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === name) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the folder of ${name}`);
    dir = parent;
  }
}

interface Served {
  readonly url: string;
  readonly server: Server;
}

/** Serves `/pkg/<name>/<file>` from each package's folder, the page at `/`, and takes events at `/events`. */
async function serve(roots: Record<string, string>, onEvent: (event: RunEvent) => void): Promise<Served> {
  const importMap = {
    imports: {
      ...Object.fromEntries(Object.keys(roots).map((name) => [name, `/pkg/${name}/dist/index.js`])),
      // @weft/core's subpaths, which the adapters import.
      ...Object.fromEntries(CORE_SUBPATHS.map((sub) => [`@weft/core/${sub}`, `/pkg/@weft/core/dist/${sub}.js`])),
    },
  };
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    const headers = { "Cache-Control": "no-store", ...ISOLATION_HEADERS };
    if (path === "/events" && request.method === "POST") {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      request.on("end", () => {
        response.writeHead(204, headers).end();
        onEvent(JSON.parse(body) as RunEvent);
      });
      return;
    }
    if (path === "/") {
      response.writeHead(200, { ...headers, "Content-Type": "text/html; charset=utf-8" });
      response.end(`<!doctype html><meta charset="utf-8"><title>weft conformance</title>
<script type="importmap">${JSON.stringify(importMap)}</script>
<script type="module" src="/pkg/@weft/conformance/dist/browser-page.js"></script>`);
      return;
    }
    const match = /^\/pkg\/(@weft\/[a-z]+)\/(.*)$/.exec(path);
    const root = match ? roots[match[1]!] : undefined;
    const file = root ? normalize(join(root, match![2]!)) : undefined;
    if (!root || !file || !file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { ...headers, "Content-Type": "text/plain" }).end(`not found: ${path}`);
      return;
    }
    response.writeHead(200, { ...headers, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, server };
}

/** Ends Chromium and every process it started (its process group, where there are groups). */
function stopChromium(chromium: ChildProcess): void {
  try {
    if (process.platform !== "win32" && chromium.pid) process.kill(-chromium.pid, "SIGKILL");
    else chromium.kill("SIGKILL");
  } catch {
    chromium.kill("SIGKILL"); // already gone, or no group
  }
}

export interface BrowserRun {
  readonly scale: Scale;
  readonly kinds?: readonly WorkerKind[];
  readonly filter: readonly string[];
  readonly bail?: boolean;
  /** A Chromium executable given by flag; otherwise CHROME_PATH, a system chromium, or @sparticuz/chromium. */
  readonly chrome?: string;
  readonly onEvent: (event: RunEvent) => void;
  /** Told which Chromium runs the page, before it starts. */
  readonly onNote?: (line: string) => void;
}

interface ChromiumFinder {
  findChromium(): Promise<{ executablePath: string; source: string }>;
  chromiumArgs(): string[];
}

const CORE_SUBPATHS = ["adapter", "transport", "testing"];

export async function runBrowser(run: BrowserRun): Promise<ResultFile> {
  const reported: RunEvent[] = [];
  let chromium: ChildProcess | undefined;
  let chromiumClosed: Promise<void> | undefined;
  let served: Served | undefined;
  const profile = mkdtempSync(join(tmpdir(), "weft-conformance-chromium-"));
  try {
    const roots = {
      "@weft/browser": packageRoot("@weft/browser"),
      "@weft/core": packageRoot("@weft/core"),
      "@weft/conformance": fileURLToPath(new URL("..", import.meta.url)).replace(/[\\/]$/, ""),
    };
    if (run.chrome) process.env.CHROME_PATH = run.chrome;
    const finder: ChromiumFinder = { findChromium, chromiumArgs };
    const { executablePath, source } = await finder.findChromium();
    run.onNote?.(`browser: ${executablePath} (${source})`);
    let finish!: (file: ResultFile | undefined) => void;
    const finished = new Promise<ResultFile | undefined>((resolve) => (finish = resolve));
    let lastSignal = Date.now();
    let current: { timeoutMs: number; since: number } | undefined;
    let planned = false;
    served = await serve(roots, (event) => {
      lastSignal = Date.now();
      reported.push(event);
      if (event.type === "plan") planned = true;
      if (event.type === "start") current = { timeoutMs: event.timeoutMs, since: Date.now() };
      if (event.type === "result") current = undefined;
      run.onEvent(event);
      if (event.type === "done") finish(event.file);
    });
    const config = { scale: run.scale, filter: run.filter, bail: run.bail === true, ...(run.kinds ? { kinds: run.kinds } : {}) };
    const url = `${served.url}/?config=${encodeURIComponent(JSON.stringify(config))}`;
    // In its own process group, so that ending it ends its renderer and GPU processes too.
    chromium = spawn(executablePath, [...finder.chromiumArgs(), "--headless", `--user-data-dir=${profile}`, url], { stdio: "ignore", detached: process.platform !== "win32" });
    const started = chromium;
    chromiumClosed = new Promise((resolve) => {
      started.on("error", () => (finish(undefined), resolve()));
      started.on("close", () => (finish(undefined), resolve()));
    });
    const watchdog = setInterval(() => {
      const silent = Date.now() - lastSignal;
      if (!planned && silent > 60_000) finish(undefined);
      else if (current && Date.now() - current.since > current.timeoutMs + HANG_GRACE_MS) finish(undefined);
    }, 1000);
    const file = await finished.finally(() => clearInterval(watchdog));
    return file ?? runnerFailure("browser", `Chromium (${executablePath}) closed, crashed or hung before the page finished`, reported);
  } catch (error) {
    return runnerFailure("browser", error instanceof Error ? error.message : String(error), reported);
  } finally {
    if (chromium) stopChromium(chromium);
    await chromiumClosed; // its profile folder is in use until it is gone
    served?.server.closeAllConnections?.();
    served?.server.close();
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    } catch {
      // A temp folder left behind must not turn the run's results into a crash.
    }
  }
}
