/**
 * Every @weft/conformance case, registered with Deno.test against the built @weft/deno.
 * Deno.test has no runtime skip: a case the suite skips (a capability Deno declares missing)
 * passes here and prints "SKIP <title>: <reason>"; scripts/test.mjs counts those lines as skipped.
 *
 * Process workers have two transports (see DenoRuntimeOptions.transport). This host may open a
 * Unix socket (scripts/test.mjs grants read, write and net), so "auto" picks the socket; every
 * process case runs a second time with transport "pipe", titled "[pipe] …".
 */
import { ResultLog, conformanceTests, hostFromKill } from "@weft/conformance";
import { adapter, type Adapter } from "@weft/deno";
import { RESULTS_DIR, withTimeout } from "./support.ts";

const log = new ResultLog("deno");
const pipeLog = new ResultLog("deno (pipe)");

const host = hostFromKill((pid, signal) => Deno.kill(pid, signal as unknown as Deno.Signal));

/** The Deno adapter with process workers on pipes, unless a case asks for a transport itself. */
const pipeAdapter: Adapter = {
  ...adapter,
  start: (kind, options) => adapter.start(kind, kind === "process" ? { ...options, runtimeOptions: { transport: "pipe", ...options.runtimeOptions } } : options),
};

const registrations = [
  ...conformanceTests({ adapter, host }, log).map((conformance) => ({ conformance, prefix: "", log })),
  ...conformanceTests({ adapter: pipeAdapter, host, kinds: ["process"] }, pipeLog).map((conformance) => ({ conformance, prefix: "[pipe] ", log: pipeLog })),
];

for (const { conformance, prefix, log } of registrations) {
  Deno.test({
    name: prefix + conformance.title,
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
  Deno.writeTextFileSync(new URL("conformance-deno-pipe.json", RESULTS_DIR), JSON.stringify(pipeLog.toJSON(), null, 2));
});
