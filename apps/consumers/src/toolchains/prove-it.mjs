// The repository README's "Prove it on your machine": its commands as written, in a fresh project
// whose PATH has node and the system's tools only (no deno, bun or Chromium of the repository's),
// the @weft packages from their tarballs. Each conformance command gets a --filter, so that the
// stage does not run the whole suite four more times (npm test does that), and must exit 0
// without any runtime's fatal-error report on stderr (the memory-limit case is among those run).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { commandsOf } from "../snippets.mjs";
import { check } from "../report.mjs";
import { describe, run } from "../run.mjs";

const FILTER = ` --filter "lifecycle: start, join" --filter "faults: a worker over its memory limit"`;
/** What a run that passed must never print: V8's report of a process that ran out of memory. */
const FATAL = /FATAL ERROR|JavaScript heap out of memory/;

/** The command as the check runs it: @weft tarballs for their names, a --filter for the suite. */
function asRun(command, tarballs) {
  if (/^npm install /.test(command)) {
    const names = new Map(tarballs.map((t) => [t.name, t.tarball]));
    return `${command.replace(/(^|\s)((?:@weft\/)[\w-]+|weftjs)(?=\s|$)/g, (_, space, name) => `${space}${names.get(name) ?? name}`)} --prefer-offline --no-audit --no-fund --loglevel=error`;
  }
  return command.includes("weft-conformance") ? command.replace(/\s+#.*$/, "") + FILTER : command;
}

export async function proveItChecks({ root, tarballs, blocks }) {
  const block = blocks.find((b) => b.readme === "repository" && b.projects.includes("prove-it"));
  const dir = join(root, "prove-it");
  const commands = block ? commandsOf(block).map((c) => c.command) : [];
  await check(`[prove-it] the repository README's commands as written (conformance runs with${FILTER}): each exits 0, no fatal-error report`, async () => {
    if (!commands.length) throw new Error("the repository README has no prove-it block");
    mkdirSync(dir, { recursive: true });
    // The adapters' own dependency on @weft/core is its tarball too (the registry has none of ours).
    const core = tarballs.find((t) => t.name === "@weft/core").tarball;
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "prove-it", private: true, version: "1.0.0", type: "module", overrides: { "@weft/core": `file:${core}` } }));
    // The adapter an author would test: here, weft's own for Node, re-exported.
    writeFileSync(join(dir, "my-adapter.mjs"), 'export { adapter } from "@weft/node";\n');
    // The machine's tools, not the repository's: deno and bun come from the README's install, through npx.
    const env = { ...process.env, PATH: [dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(":"), NO_COLOR: "1" };
    const shown = [];
    for (const command of commands) {
      const line = asRun(command, tarballs);
      const result = await run("sh", ["-c", line], { cwd: dir, env, timeoutMs: 600_000 });
      if (result.code !== 0) throw new Error(describe(result, `\`${line}\``));
      if (FATAL.test(result.stderr)) throw new Error(`\`${line}\` passed but printed a fatal-error report:\n${result.stderr.slice(-2000)}`);
      if (command.includes("--runtime")) {
        const columns = ["node", "deno", "bun", "browser"].flatMap((r) => [`${r}/thread`, `${r}/process`]);
        const missing = columns.filter((column) => !new RegExp(`${column} \\d+ pass, 0 fail`).test(result.stdout));
        if (missing.length) throw new Error(`\`${line}\` has no passing ${missing.join(", ")}:\n${result.stdout}`);
        const chromium = /^browser: .*$/m.exec(result.stderr)?.[0];
        if (!chromium) throw new Error(`\`${line}\` did not say which Chromium ran:\n${result.stderr}`);
        shown.push(chromium);
      }
    }
    return shown.join("; ");
  });
}
