// Opens a served app in headless Chromium: the page must show the text its README (or its
// toolchain check) says it shows in its <output id="out">.
import { launchChromium } from "@weft/chromium";

let launched;

/** One Chromium for the whole stage. */
async function browser() {
  launched ??= launchChromium().then((found) => {
    console.log(`  (Chromium: ${found.executablePath}, from ${found.source})`);
    return found;
  });
  return (await launched).browser;
}

export async function closeBrowser() {
  if (launched) await (await launched).browser.close().catch(() => {});
}

/** A request the browser makes on its own, which the app does not own: its failure says nothing about the app. */
function notTheApps(message) {
  return /\/favicon\.ico$/.test(message.location()?.url ?? "");
}

/**
 * Opens `url`; resolves when `#out` shows `expected`, throws with what it showed, the page's errors
 * and `serverOutput()` otherwise. `allowed` matches console errors the check expects.
 */
export async function showsOnPage(url, expected, serverOutput = () => "", { allowed } = {}) {
  const page = await (await browser()).newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error" || notTheApps(message) || allowed?.test(message.text())) return;
    problems.push(`console error: ${message.text()}`);
  });
  try {
    await page.goto(url);
    const shown = await page
      .waitForFunction(() => document.querySelector("#out")?.textContent?.trim() || undefined, undefined, { timeout: 90_000 })
      .then((handle) => handle.jsonValue())
      .catch(() => undefined);
    if (shown === undefined) throw new Error(`the page showed nothing in #out within 90 s\n${problems.join("\n")}\n${serverOutput()}`);
    if (typeof expected === "function" ? !expected(shown.trim()) : shown.trim() !== expected) {
      throw new Error(`the page showed:\n${shown}\nexpected:\n${expected}\n${problems.join("\n")}\n${serverOutput()}`);
    }
    if (problems.length) throw new Error(problems.join("\n"));
    return shown.trim();
  } finally {
    await page.close().catch(() => {});
  }
}
