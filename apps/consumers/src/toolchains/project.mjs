// A toolchain project: a fresh folder outside the scratch project (so nothing resolves through the
// scratch's node_modules), with the weft tarballs it uses and the toolchain's own packages at the
// versions under test, installed as a user would: one `npm install`, peer ranges enforced.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, run } from "../run.mjs";

/**
 * Writes `files` into `dir` and installs `weft` (package names, from their tarballs) and `tools`
 * ({ name: version }). Throws with npm's account (an ERESOLVE, say) when the install fails.
 */
export async function installProject(dir, tarballs, { weft, tools = {}, files = {}, type = "module" }) {
  mkdirSync(dir, { recursive: true });
  const byName = new Map(tarballs.map((t) => [t.name, `file:${t.tarball}`]));
  const dependencies = Object.fromEntries(weft.map((name) => [name, byName.get(name)]));
  const missing = weft.filter((name) => !byName.get(name));
  if (missing.length) throw new Error(`no tarball for ${missing.join(", ")}`);
  // The packages' dependencies on each other are the tarballs too (the registry has none of them).
  const overrides = Object.fromEntries([...byName].filter(([name]) => !name.startsWith("@weft/conformance")));
  const manifest = { name: "weft-toolchain-app", private: true, version: "1.0.0", type, dependencies, devDependencies: tools, overrides };
  writeProjectFiles(dir, { ...files, "package.json": manifest });
  const result = await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, timeoutMs: 300_000 });
  if (result.code !== 0) throw new Error(describe(result, `npm install ${[...weft, ...Object.entries(tools).map(([n, v]) => `${n}@${v}`)].join(" ")}`));
  return dir;
}

/** Writes { path: text | JSON value } under `dir`. */
export function writeProjectFiles(dir, files) {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  }
}

/** Runs a project's local tool (node_modules/.bin/<bin>); throws with its output if it fails. */
export async function runTool(dir, bin, args, { timeoutMs = 180_000, env } = {}) {
  const result = await run(join(dir, "node_modules/.bin", bin), args, { cwd: dir, timeoutMs, env: { ...process.env, NO_COLOR: "1", ...env } });
  if (result.code !== 0) throw new Error(describe(result, `${bin} ${args.join(" ")}`));
  return result;
}
