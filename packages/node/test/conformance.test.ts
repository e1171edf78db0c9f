import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, test } from "vitest";
import { ResultLog, conformanceTests, hostFromKill } from "@weft/conformance";
import { adapter } from "@weft/node";

const log = new ResultLog("node");

const host = hostFromKill(process.kill.bind(process));

for (const conformance of conformanceTests({ adapter, host }, log)) {
  test(conformance.title, async (context) => {
    const { skipped } = await conformance.run();
    if (skipped) {
      console.log(`SKIP ${conformance.title}: ${skipped}`);
      context.skip(skipped);
    }
  }, conformance.timeoutMs);
}

afterAll(() => {
  const dir = new URL("../../../results/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL("conformance-node.json", dir), JSON.stringify(log.toJSON(), null, 2));
});
