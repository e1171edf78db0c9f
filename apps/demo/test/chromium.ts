/**
 * Finds and launches a headless Chromium without downloading anything, the way
 * packages/browser/scripts/chromium.mjs does: CHROME_PATH, then a system Chromium on PATH, then
 * the binary inside the @sparticuz/chromium npm package. Always with our own flags: never
 * @sparticuz/chromium's default `args`, which disable web security and force SharedArrayBuffer on
 * (hiding exactly the cross-origin isolation this page depends on).
 */
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { Browser } from "playwright-core";

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function findChromium(): Promise<{ executablePath: string; source: string }> {
  if (process.env.CHROME_PATH) {
    if (!existsSync(process.env.CHROME_PATH)) throw new Error(`CHROME_PATH is set to ${process.env.CHROME_PATH}, which does not exist.`);
    return { executablePath: process.env.CHROME_PATH, source: "CHROME_PATH" };
  }
  for (const name of ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome", "chrome"]) {
    const found = onPath(name);
    if (found) return { executablePath: found, source: `system (${name})` };
  }
  const sparticuz = (await import("@sparticuz/chromium")).default;
  return { executablePath: await sparticuz.executablePath(), source: "@sparticuz/chromium" };
}

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
  if (typeof process.getuid === "function" && process.getuid() === 0) args.push("--no-sandbox");
  return args;
}

export async function launchChromium(): Promise<{ browser: Browser; source: string }> {
  const { chromium } = await import("playwright-core");
  const { executablePath, source } = await findChromium();
  const browser = await chromium.launch({ executablePath, args: chromiumArgs(), headless: true, timeout: 60_000 });
  return { browser, source };
}
