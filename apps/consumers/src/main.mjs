#!/usr/bin/env node
/**
 * The consumers stage of `npm test`: weft as its users get it. Packs every publishable package once
 * (npm pack), installs the tarballs into a scratch project under the temp folder (from the npm
 * cache, --prefer-offline), lints every tarball (publint, arethetypeswrong, contents), then runs the
 * READMEs' own snippets — extracted from the README files — in one consumer project per kind of user:
 * Node ESM under `tsc --strict`, CommonJS, tsx, Bun, Deno (`deno check` and the documented flags), a
 * Vite app in headless Chromium, an esbuild-bundled Node app. Writes results/runner-consumers.json.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { installScratch, packAll, publishablePackages, repo } from "./pack.mjs";
import { projects } from "./projects.mjs";
import { checkRepository } from "./repo-checks.mjs";
import { check, counts, fail, failures, writeRunnerFile } from "./report.mjs";
import { readBlocks } from "./snippets.mjs";
import { checkImports, checkTarball, readmeOf } from "./tarballs.mjs";
import { closeBrowser } from "./page.mjs";
import { toolchains } from "./toolchains/index.mjs";

const started = performance.now();
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const keep = Boolean(process.env.WEFT_KEEP_CONSUMERS);
const scratchRoot = mkdtempSync(join(tmpdir(), "weft-consumers-"));
const scratch = join(scratchRoot, "app");
/** Runtime modules that are not npm packages: Node's built-ins and Bun's. */
const builtins = new Set([...builtinModules, "bun", "bun:test", "bun:ffi"]);

function seconds() {
  return ((performance.now() - started) / 1000).toFixed(1);
}

/** Every README with snippets: the repository's and each published package's. */
function readmes(packages) {
  return [
    { label: "repository", path: join(repo, "README.md") },
    ...packages.map((p) => ({ label: p.name, path: join(p.dir, "README.md") })),
  ];
}

async function main() {
  const packages = publishablePackages();
  const unbuilt = packages.filter((p) => p.manifest.files?.includes("dist") && !existsSync(join(p.dir, "dist")));
  if (unbuilt.length) throw new Error(`build first (npm run build); no dist in ${unbuilt.map((p) => p.name).join(", ")}`);

  console.log(`\nrepository configuration`);
  await checkRepository(packages);

  console.log(`\nREADME snippets`);
  const blocks = [];
  await check("[readme] every code block of every published README is run by a consumer project or says why not", () => {
    const unmarked = [];
    for (const readme of readmes(packages)) {
      const found = readBlocks(readme.path, readme.label);
      blocks.push(...found.blocks);
      unmarked.push(...found.unmarked.map((u) => `${relative(repo, readme.path)}:${u.line}`));
    }
    if (unmarked.length) throw new Error(`blocks without a <!-- consumers: … --> marker:\n${unmarked.join("\n")}`);
    return `${blocks.length} blocks`;
  });

  console.log(`\npack and install (${scratchRoot})`);
  const tarballs = await packAll(packages, join(scratchRoot, "tarballs"));
  console.log(`  packed ${tarballs.length} packages in one npm pack (${seconds()} s)`);
  await installScratch(scratch, tarballs);
  console.log(`  installed the tarballs and the consumers' tools (${seconds()} s)`);

  console.log(`\ntarballs`);
  for (const tarball of tarballs) {
    const installed = join(scratch, "node_modules", tarball.name);
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    await checkTarball(tarball, manifest, readmeOf(installed));
    await checkImports(tarball, installed, manifest, builtins);
  }

  const groups = new Map();
  for (const block of blocks) {
    for (const project of block.projects) {
      const key = `${block.readme}|${project}`;
      if (!groups.has(key)) groups.set(key, { readme: block.readme, project, blocks: [] });
      groups.get(key).blocks.push(block);
    }
  }
  for (const { readme, project, blocks: projectBlocks } of groups.values()) {
    if (only && !only.includes(project)) continue;
    // A toolchain check of that name runs these blocks in its own fresh project.
    if (toolchains[project]) continue;
    const label = `[${project}] ${readme} README`;
    console.log(`\n${label} (${seconds()} s)`);
    const runner = projects[project];
    if (!runner) {
      fail(label, `unknown consumer project "${project}" (known: ${Object.keys(projects).join(", ")})`);
      continue;
    }
    const dir = join(scratch, `${readme.replace(/[@/]/g, "_")}-${project}`);
    await runner({ label, dir, scratch, blocks: projectBlocks });
  }

  const context = { root: join(scratchRoot, "toolchains"), tarballs, scratch, ...toolchainInputs(blocks) };
  for (const [name, checks] of Object.entries(toolchains)) {
    if (only && !only.includes(name)) continue;
    console.log(`\ntoolchain: ${name} (${seconds()} s)`);
    await checks(context);
  }
}

/** What the toolchain checks take from the READMEs and the repository: the snippets, the weftjs README's tsconfig, the repository's TypeScript and Vite. */
function toolchainInputs(blocks) {
  const tsconfig = blocks.find((b) => b.readme === "weftjs" && b.name === "tsconfig.json");
  if (!tsconfig) throw new Error("the weftjs README has no tsconfig.json block");
  const lock = JSON.parse(readFileSync(join(repo, "package-lock.json"), "utf8")).packages;
  return { blocks, runtimeBins: join(repo, "node_modules/.bin"), tsconfig: tsconfig.code, repositoryTypescript: lock["node_modules/typescript"].version, repositoryVite: lock["node_modules/vite"].version };
}

try {
  await main();
} catch (error) {
  fail("[consumers] the stage ran to its end", error instanceof Error ? error.stack : String(error));
} finally {
  await closeBrowser();
  if (!keep) rmSync(scratchRoot, { recursive: true, force: true });
}
const duration = Number(seconds());
writeRunnerFile({ seconds: duration });
console.log(`\nconsumers: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped in ${duration} s`);
if (failures.length) console.log(`failed:\n${failures.map((f) => `  ${f}`).join("\n")}`);
if (keep) console.log(`scratch projects kept in ${scratchRoot}`);
process.exit(failures.length ? 1 : 0);
