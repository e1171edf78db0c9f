/// <reference types="node" />
/**
 * Finds a Chromium to test in (for the command's --runtime browser, and the repository's own
 * browser tests through @weft/chromium), without downloading anything: CHROME_PATH, then a system
 * Chromium/Chrome on PATH, then the binary shipped inside the @sparticuz/chromium npm package.
 *
 * It is always launched with this project's own flags. @sparticuz/chromium's default `args`
 * are never used: they disable web security and force SharedArrayBuffer on, which would hide
 * exactly the cross-origin-isolation behaviour these tests check.
 */
import { existsSync } from "node:fs";
import { onPath } from "./on-path.js";

const SYSTEM_NAMES = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome", "chrome"];

/** Resolves { executablePath, source }. */
export async function findChromium(): Promise<{ executablePath: string; source: string }> {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH is set to ${fromEnv}, which does not exist.`);
    return { executablePath: fromEnv, source: "CHROME_PATH" };
  }
  for (const name of SYSTEM_NAMES) {
    const found = onPath(name);
    if (found) return { executablePath: found, source: `system (${name} on PATH)` };
  }
  let sparticuz: { executablePath(): Promise<string> };
  try {
    sparticuz = ((await import("@sparticuz/chromium" as string)) as { default: { executablePath(): Promise<string> } }).default;
  } catch (error) {
    throw new Error(`No Chromium found: set CHROME_PATH, install chromium, or install @sparticuz/chromium (${error instanceof Error ? error.message : String(error)}).`);
  }
  // Decompresses the bundled binary to the temp folder on first use (no network).
  const executablePath = await sparticuz.executablePath();
  return { executablePath, source: "@sparticuz/chromium" };
}

/** This project's flags: headless, no GPU, quiet on a closed network; no sandbox only as root. */
export function chromiumArgs(): string[] {
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

