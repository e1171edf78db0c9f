/**
 * Finds a Chromium to test in, without downloading anything: CHROME_PATH, then a system
 * Chromium/Chrome on PATH, then the binary shipped inside the @sparticuz/chromium npm package.
 *
 * It is always launched with this project's own flags. @sparticuz/chromium's default `args`
 * are never used: they disable web security and force SharedArrayBuffer on, which would hide
 * exactly the cross-origin-isolation behaviour these tests check.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";

const SYSTEM_NAMES = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome", "chrome"];

function onPath(name) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Resolves { executablePath, source }. */
export async function findChromium() {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH is set to ${fromEnv}, which does not exist.`);
    return { executablePath: fromEnv, source: "CHROME_PATH" };
  }
  for (const name of SYSTEM_NAMES) {
    const found = onPath(name);
    if (found) return { executablePath: found, source: `system (${name} on PATH)` };
  }
  let sparticuz;
  try {
    sparticuz = (await import("@sparticuz/chromium")).default;
  } catch (error) {
    throw new Error(`No Chromium found: set CHROME_PATH, install chromium, or install @sparticuz/chromium (${error.message}).`);
  }
  // Decompresses the bundled binary to the temp folder on first use (no network).
  const executablePath = await sparticuz.executablePath();
  return { executablePath, source: "@sparticuz/chromium" };
}

/** This project's flags: headless, no GPU, quiet on a closed network; no sandbox only as root. */
export function chromiumArgs() {
  const args = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
  ];
  // Chromium refuses to start its sandbox as root; anywhere else the sandbox stays on.
  if (typeof process.getuid === "function" && process.getuid() === 0) args.push("--no-sandbox");
  return args;
}

/** The shared libraries the binary lacks on this machine (from ldd), to say why it cannot start. */
function missingLibraries(executablePath) {
  const run = spawnSync("ldd", [executablePath], { encoding: "utf8" });
  if (run.error || typeof run.stdout !== "string") return [];
  return run.stdout.split("\n").filter((line) => line.includes("not found")).map((line) => line.trim());
}

/** Launches Chromium through playwright-core with {@link chromiumArgs}. */
export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  const { executablePath, source } = await findChromium();
  try {
    const browser = await chromium.launch({ executablePath, args: chromiumArgs(), headless: true, timeout: 60_000 });
    return { browser, executablePath, source };
  } catch (error) {
    const missing = missingLibraries(executablePath);
    const hint = missing.length
      ? ` It lacks shared libraries: ${missing.join("; ")}. Install them, or Debian's \`chromium\` package, or set CHROME_PATH.`
      : "";
    throw new Error(`Chromium from ${source} (${executablePath}) did not start.${hint}\n${error instanceof Error ? error.message : String(error)}`);
  }
}
