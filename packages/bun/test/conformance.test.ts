import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, test } from "bun:test";
import { ResultLog, conformanceTests, hostFromKill } from "@weft/conformance";
import { adapter } from "@weft/bun";

const log = new ResultLog("bun");

const host = hostFromKill(process.kill.bind(process));

// bun:test has no way to mark a test skipped once it has started, and a case only knows it
// skips when it runs (it reads the adapter's capabilities). So a declared skip prints
// "SKIP <title>: <reason>" and returns; scripts/test.mjs counts those titles as skipped.
for (const conformance of conformanceTests({ adapter, host }, log)) {
  test(conformance.title, async () => {
    const { skipped } = await conformance.run();
    if (skipped) console.log(`SKIP ${conformance.title}: ${skipped}`);
  }, conformance.timeoutMs);
}

afterAll(() => {
  const dir = process.env.WEFT_RESULTS_DIR ? new URL(`file://${process.env.WEFT_RESULTS_DIR.replace(/\/?$/, "/")}`) : new URL("../../../results/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL("conformance-bun.json", dir), JSON.stringify(log.toJSON(), null, 2));
});
