// What a tarball must carry to be a good citizen on the registry, and the two linters every
// tarball must pass: publint (package.json against the files) and arethetypeswrong (types under
// every TypeScript resolution mode).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { check } from "./report.mjs";
import { describe, run } from "./run.mjs";
import { repo } from "./pack.mjs";

const bin = (name) => join(repo, "node_modules/.bin", name);

/**
 * Rules of arethetypeswrong this family does not follow, each explained in the entry README's
 * "CommonJS" section: the packages are ESM-only and `require()` them through Node's require(esm).
 */
export const ATTW_IGNORED_RULES = ["cjs-resolves-to-esm"];
/** node16 leaves out TypeScript's `node10` resolution, deprecated in TypeScript 6, which cannot see subpath exports. */
export const ATTW_PROFILE = "node16";

/** A Markdown link whose target is a path: fine on GitHub, dead on the registry's page. */
const RELATIVE_LINK = /\]\((?!https?:|mailto:|#)([^)\s]+)\)/g;

export async function checkTarball(tarball, manifest, readme) {
  const label = `[tarball] ${tarball.name}`;
  await check(`${label}: LICENSE, README.md and package.json are in the tarball`, () => {
    const missing = ["LICENSE", "README.md", "package.json"].filter((file) => !tarball.files.includes(file));
    if (missing.length) throw new Error(`missing: ${missing.join(", ")} (files: ${tarball.files.join(", ")})`);
  });
  await check(`${label}: package.json says where it comes from and what it runs on`, () => {
    const problems = [];
    if (manifest.license !== "MIT") problems.push(`license is ${manifest.license}`);
    if (!manifest.repository?.url || !manifest.repository?.directory) problems.push("no repository { url, directory }");
    if (!manifest.homepage) problems.push("no homepage");
    if (!manifest.bugs?.url) problems.push("no bugs.url");
    if (!Array.isArray(manifest.keywords) || manifest.keywords.length === 0) problems.push("no keywords");
    if (!manifest.engines?.node) problems.push("no engines.node");
    if (manifest.publishConfig?.access === "restricted") problems.push("publishConfig.access is restricted");
    if (problems.length) throw new Error(problems.join("; "));
  });
  await check(`${label}: README has no relative links (they are dead on the registry's page)`, () => {
    const dead = [...readme.matchAll(RELATIVE_LINK)].map((m) => m[1]);
    if (dead.length) throw new Error(`relative links: ${dead.join(", ")}`);
  });
  await check(`${label}: publint --strict --level suggestion`, async () => {
    const result = await run(bin("publint"), ["run", "--strict", "--level", "suggestion", tarball.tarball], { timeoutMs: 60_000 });
    if (result.code !== 0 || !/All good/.test(result.stdout)) throw new Error(describe(result, "publint"));
  });
  await check(`${label}: arethetypeswrong --profile ${ATTW_PROFILE} (ignoring only ${ATTW_IGNORED_RULES.join(", ")})`, async () => {
    const args = ["--format", "ascii", "--profile", ATTW_PROFILE, "--ignore-rules", ...ATTW_IGNORED_RULES, "--", tarball.tarball];
    const result = await run(bin("attw"), args, { timeoutMs: 60_000, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });
    if (result.code !== 0) throw new Error(describe(result, "attw"));
  });
}

/** The README inside a tarball is the package's own README.md. */
export function readmeOf(dir) {
  return readFileSync(join(dir, "README.md"), "utf8");
}

const STATIC_IMPORT = /^\s*(?:import|export)\b[^;"']*?\bfrom\s*["']([^"']+)["']/gm;
const SIDE_EFFECT_IMPORT = /^\s*import\s*["']([^"']+)["']/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** The packages a file imports by bare name ("x", "@s/x", not "./y", "node:fs" or a runtime's own "bun:jsc"). */
export function bareImports(source) {
  const names = new Set();
  for (const pattern of [STATIC_IMPORT, SIDE_EFFECT_IMPORT, DYNAMIC_IMPORT]) {
    for (const match of source.matchAll(pattern)) {
      const specifier = match[1];
      if (/^(?:\.|\/|node:|bun:|data:|https?:)/.test(specifier)) continue;
      const parts = specifier.split("/");
      names.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]);
    }
  }
  return names;
}

/** Every package a shipped file imports is a dependency (or peer dependency) or a Node built-in. */
export async function checkImports(tarball, installedDir, manifest, builtins) {
  await check(`[tarball] ${tarball.name}: every package its files import is declared as a dependency`, () => {
    const declared = new Set([manifest.name, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const undeclared = [];
    for (const file of tarball.files.filter((f) => /\.(?:[cm]?js|d\.[cm]?ts)$/.test(f))) {
      for (const name of bareImports(readFileSync(join(installedDir, file), "utf8"))) {
        if (!declared.has(name) && !builtins.has(name)) undeclared.push(`${file} imports ${name}`);
      }
    }
    if (undeclared.length) throw new Error(undeclared.join("\n"));
  });
}
