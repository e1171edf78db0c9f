// The repository's release and build configuration, checked where it bites: what `changeset
// version` would release, and what invalidates turbo's build cache.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { check } from "./report.mjs";
import { describe, run } from "./run.mjs";
import { repo } from "./pack.mjs";

/** The version the first `changeset version` must give every published package. */
export const FIRST_RELEASE = "0.1.0";

export async function checkRepository(packages) {
  const names = packages.map((p) => p.name).sort();
  await check("[release] changesets publish the scoped packages publicly", () => {
    const config = JSON.parse(readFileSync(join(repo, ".changeset/config.json"), "utf8"));
    if (config.access !== "public") throw new Error(`.changeset/config.json has "access": ${JSON.stringify(config.access)}`);
    if (config.privatePackages?.version !== false || config.privatePackages?.tag !== false) {
      throw new Error('.changeset/config.json must keep private packages out: "privatePackages": { "version": false, "tag": false }');
    }
    const fixed = (config.fixed[0] ?? []).slice().sort();
    if (JSON.stringify(fixed) !== JSON.stringify(names)) throw new Error(`the fixed group ${fixed.join(", ")} is not the published set ${names.join(", ")}`);
  });
  await check(`[release] the next \`changeset version\` releases every published package as ${FIRST_RELEASE} and no private one`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-changeset-"));
    try {
      const output = join(dir, "status.json");
      const result = await run(join(repo, "node_modules/.bin/changeset"), ["status", `--output=${output}`], { cwd: repo, timeoutMs: 60_000 });
      if (result.code !== 0) throw new Error(describe(result, "changeset status"));
      const releases = JSON.parse(readFileSync(output, "utf8")).releases;
      const problems = [];
      for (const name of names) {
        const release = releases.find((r) => r.name === name);
        if (release?.newVersion !== FIRST_RELEASE) problems.push(`${name} → ${release?.newVersion ?? "not released"}`);
      }
      for (const release of releases) {
        if (!names.includes(release.name) && release.type !== "none") problems.push(`private ${release.name} gets a ${release.type} release`);
      }
      if (problems.length) throw new Error(problems.join("; "));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  await check("[build] tsconfig.base.json is an input of turbo's build cache", async () => {
    const result = await run(join(repo, "node_modules/.bin/turbo"), ["run", "build", "--dry=json"], { cwd: repo, timeoutMs: 60_000 });
    if (result.code !== 0) throw new Error(describe(result, "turbo run build --dry=json"));
    const dry = JSON.parse(result.stdout.slice(result.stdout.indexOf("{")));
    if (!dry.globalCacheInputs?.files?.["tsconfig.base.json"]) throw new Error("turbo's global cache inputs do not include tsconfig.base.json");
  });
}
