/**
 * Every @weft/conformance case, registered with Deno.test against the built @weft/deno.
 * Deno.test has no runtime skip: a case the suite skips (a capability Deno declares missing)
 * passes here and prints "SKIP <title>: <reason>"; scripts/test.mjs counts those lines as skipped.
 */
import { ResultLog, conformanceTests, hostFromKill } from "@weft/conformance";
import { adapter } from "@weft/deno";
import { RESULTS_DIR, withTimeout } from "./support.ts";

const log = new ResultLog("deno");

const host = hostFromKill((pid, signal) => Deno.kill(pid, signal as unknown as Deno.Signal));

for (const conformance of conformanceTests({ adapter, host }, log)) {
  Deno.test({
    name: conformance.title,
    // Workers, child processes and their timers outlive a case by design (pools close
    // asynchronously); the suite checks its own leaks (e.g. no process left after close).
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const { skipped } = await withTimeout(conformance.run(), conformance.timeoutMs, conformance.title, () => {
        // A case that never settles records nothing itself: record the timeout for the matrix.
        log.add({ case: conformance.title.replace(/^\[[^\]]*\] /, ""), kind: conformance.kind, status: "fail", reason: `timed out after ${conformance.timeoutMs} ms`, ms: conformance.timeoutMs, measures: {} });
      });
      if (skipped) console.log(`SKIP ${conformance.title}: ${skipped}`);
    },
  });
}

// Deno.test has no afterAll; unload runs once every test has finished.
globalThis.addEventListener("unload", () => {
  Deno.mkdirSync(RESULTS_DIR, { recursive: true });
  Deno.writeTextFileSync(new URL("conformance-deno.json", RESULTS_DIR), JSON.stringify(log.toJSON(), null, 2));
});
