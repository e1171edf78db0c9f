import type { Browser } from "playwright-core";

/** Finds Chromium without downloading: CHROME_PATH, a system chromium on PATH, or the @sparticuz/chromium binary. */
export function findChromium(): Promise<{ executablePath: string; source: string }>;
/** This project's own launch flags (never @sparticuz/chromium's defaults, which disable web security). */
export function chromiumArgs(): string[];
/** Launches headless Chromium through playwright-core with {@link chromiumArgs}. */
export function launchChromium(): Promise<{ browser: Browser; executablePath: string; source: string }>;
