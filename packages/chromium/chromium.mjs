/**
 * The repository's Chromium launcher for its browser tests, demo, bench and consumers stage.
 * Finding Chromium and its flags live in @weft/conformance (published, so that its command can
 * run the browser from a user's project); this adds the playwright-core launch.
 */
import { spawnSync } from "node:child_process";
import { chromiumArgs, findChromium } from "@weft/conformance/chromium";

export { chromiumArgs, findChromium };

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
