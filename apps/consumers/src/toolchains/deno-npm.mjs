// Deno without a node_modules folder: `npm:` specifiers, resolved from a registry into Deno's own
// cache. The registry is one on the loopback that serves the packed tarballs (as the npm registry
// will once they are published), and DENO_DIR is fresh, so nothing comes from a node_modules folder
// or an earlier run. Runs the weftjs README's `deno-npm` blocks (its quick start, thread and process
// workers) as written, and the conformance command outside any project.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveRegistry } from "../local-registry.mjs";
import { runDocumentedCommands, writeProject } from "../projects.mjs";
import { check } from "../report.mjs";
import { describe, run } from "../run.mjs";

export async function denoNpmChecks({ root, tarballs, scratch, blocks, runtimeBins }) {
  const registry = await serveRegistry(tarballs, (name) => JSON.parse(readFileSync(join(scratch, "node_modules", name, "package.json"), "utf8")));
  // No other registry, no cache of an earlier run: what resolves, resolves from the tarballs.
  const env = { NPM_CONFIG_REGISTRY: registry.url, DENO_DIR: join(root, "deno-dir"), DENO_NO_UPDATE_CHECK: "1" };
  const deno = join(runtimeBins, "deno");
  try {
    const dir = join(root, "deno-npm");
    const own = blocks.filter((b) => b.readme === "weftjs" && b.projects.includes("deno-npm"));
    // The README's program (the quick start) is main.ts, as its command line names it.
    const project = writeProject(dir, own.map((b) => (b.name || b.language !== "ts" ? b : { ...b, name: "main.ts" })));
    await check("[deno-npm] weftjs README, npm: specifiers and no node_modules: deno check of the quick start, then its run (thread and process workers) prints what it says", () =>
      runDocumentedCommands("deno-npm", dir, scratch, project.commands, env),
    );
    await check("[deno-npm] a stack frame inside weft names a shipped file and the line that threw there", async () => {
      writeFileSync(join(dir, "frames.ts"), 'import { Pool } from "weftjs";\ntry {\n  new Pool({ size: 0 });\n} catch (error) {\n  console.log((error as Error).stack);\n}\n');
      const result = await run(deno, ["run", "--allow-read", "frames.ts"], { cwd: dir, env: { ...process.env, ...env }, timeoutMs: 120_000 });
      const frame = /\((file:\/\/\/[^)]*@weft\/core[^)]*):(\d+):\d+\)/.exec(result.stdout);
      if (result.code !== 0 || !frame) throw new Error(describe(result, "deno run frames.ts") + "\n(no frame inside @weft/core)");
      const path = fileURLToPath(frame[1]);
      const line = existsSync(path) ? readFileSync(path, "utf8").split("\n")[Number(frame[2]) - 1] : undefined;
      if (!line?.includes("throw")) throw new Error(`the top frame ${frame[1]}:${frame[2]} is ${line === undefined ? "a file that is not there" : `the line ${JSON.stringify(line.trim())}`}, not the throw\n${result.stdout}`);
      return `${frame[1].replace(/^.*@weft\/core\/[^/]+\//, "@weft/core/")}:${frame[2]}`;
    });
    const outside = join(root, "deno-npm-outside");
    mkdirSync(outside, { recursive: true });
    const command = ["run", "-A", "npm:@weft/conformance/weft-conformance", "--quick", "--no-progress", "--filter", "lifecycle: start, join"];
    await check(`[deno-npm] deno ${command.join(" ")} outside a project: both kinds pass`, async () => {
      const result = await run(deno, command, { cwd: outside, env: { ...process.env, ...env }, timeoutMs: 300_000 });
      if (result.code !== 0 || !/deno\/thread 1 pass, 0 fail.*deno\/process 1 pass, 0 fail/.test(result.stdout)) throw new Error(describe(result, `deno ${command.join(" ")}`));
    });
  } finally {
    await registry.stop();
  }
}
