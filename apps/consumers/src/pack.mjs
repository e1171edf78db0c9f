// Packs every publishable workspace once (npm pack, as `npm publish` would) and installs the
// tarballs — not workspace links — into one scratch project that the consumer projects share.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, run } from "./run.mjs";

export const repo = fileURLToPath(new URL("../../../", import.meta.url));

/** The tools a user of each consumer project installs next to weft, at the repository's versions (already in the npm cache). */
const TOOLS = ["typescript", "@types/node", "esbuild", "vite"];
/** Not a repository dependency; pinned here. */
const TSX_VERSION = "4.23.15";

/** Every workspace that is not private: { name, dir, manifest }. */
export function publishablePackages() {
  const root = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
  const found = [];
  for (const pattern of root.workspaces) {
    const parent = join(repo, pattern.replace(/\/\*$/, ""));
    for (const entry of existsSync(parent) ? readdirSync(parent) : []) {
      const manifestPath = join(parent, entry, "package.json");
      if (!existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
      if (!manifest.private) found.push({ name: manifest.name, dir: join(parent, entry), manifest });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** Packs them all in one `npm pack`; returns [{ name, version, tarball, files }]. */
export async function packAll(packages, destination) {
  mkdirSync(destination, { recursive: true });
  const args = ["pack", "--json", `--pack-destination=${destination}`, ...packages.flatMap((p) => ["-w", p.dir])];
  const result = await run("npm", args, { cwd: repo, timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(describe(result, "npm pack"));
  const json = JSON.parse(result.stdout.slice(result.stdout.indexOf("[")));
  return json.map((entry) => ({
    name: entry.name,
    version: entry.version,
    tarball: join(destination, entry.filename),
    files: entry.files.map((f) => f.path),
  }));
}

function toolVersions() {
  const lock = JSON.parse(readFileSync(join(repo, "package-lock.json"), "utf8")).packages;
  const versions = { tsx: TSX_VERSION };
  for (const name of TOOLS) {
    const version = lock[`node_modules/${name}`]?.version;
    if (!version) throw new Error(`${name} is not in the repository's package-lock.json`);
    versions[name] = version;
  }
  return versions;
}

/**
 * The consumer projects are folders of this one project, as apps of a monorepo are: `workspaces`
 * (empty: npm links nothing) marks it as their workspace root, so that Vite's dev server allows
 * the node_modules folder above an app, as it does in a monorepo.
 *
 * Writes the scratch project (every tarball as a dependency, overrides so that the packages'
 * dependencies on each other are the tarballs too) and installs it from the npm cache.
 */
export async function installScratch(dir, tarballs) {
  mkdirSync(dir, { recursive: true });
  const dependencies = Object.fromEntries(tarballs.map((t) => [t.name, `file:${t.tarball}`]));
  const manifest = { name: "weft-consumer", private: true, version: "1.0.0", workspaces: [], dependencies, devDependencies: toolVersions(), overrides: dependencies };
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest, null, 2));
  const result = await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, timeoutMs: 300_000 });
  if (result.code !== 0) throw new Error(describe(result, "npm install of the tarballs"));
  for (const { name } of tarballs) {
    const installed = join(dir, "node_modules", name);
    if (lstatSync(installed).isSymbolicLink()) throw new Error(`${name} was installed as a link, not from its tarball`);
  }
}
