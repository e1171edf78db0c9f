// The command-line entry of the cross-runtime benchmark, the same file under `node`, `deno run`
// and `bun run`. Progress goes to stderr; the report is the one stdout line that starts with
// MARKER (so that anything else a runtime prints cannot break the JSON). Usage: <runtime> entry.mjs [--quick] [--only=channel,...]
import { MARKER, runBench } from "./bench.mjs";

const g = globalThis;
const runtime = g.Deno ? "deno" : g.Bun ? "bun" : "node";
const version = g.Deno ? g.Deno.version.deno : g.Bun ? g.Bun.version : g.process.versions.node;
const args = g.Deno ? g.Deno.args : g.process.argv.slice(2);

const writeErr = (text) => (g.Deno ? g.Deno.stderr.writeSync(new TextEncoder().encode(text)) : g.process.stderr.write(text));
const writeOut = (text) => {
  if (!g.Deno) return new Promise((resolve) => g.process.stdout.write(text, resolve));
  const bytes = new TextEncoder().encode(text);
  for (let written = 0; written < bytes.length; ) written += g.Deno.stdout.writeSync(bytes.subarray(written));
};
const exit = (code) => (g.Deno ? g.Deno.exit(code) : g.process.exit(code));

try {
  const only = args.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");
  const report = await runBench({ quick: args.includes("--quick"), smoke: args.includes("--smoke"), only, runtime, version, log: (line) => writeErr(`${line}\n`) });
  await writeOut(`${MARKER}${JSON.stringify(report)}\n`);
  exit(0);
} catch (error) {
  writeErr(`${error instanceof Error ? error.stack : String(error)}\n`);
  exit(1);
}
