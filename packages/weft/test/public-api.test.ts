// Every public name (values and types) of every entry: @weft/core and its subpaths, each
// adapter's main entry and weftjs, read from the declarations users get. A name that appears or
// disappears fails here until the snapshot is updated on purpose (`npx vitest run -u`), so the
// user's API never grows an internal by accident.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import ts from "typescript";
import { expect, test } from "vitest";

const require = createRequire(import.meta.url);
// weftjs once per export condition: each picks a runtime's adapter.
const USER_ENTRIES = ["@weft/core", "@weft/node", "@weft/deno", "@weft/bun", "@weft/browser", "weftjs#node", "weftjs#deno", "weftjs#bun", "weftjs#browser"];
const KIT_ENTRIES = ["@weft/core/adapter", "@weft/core/transport", "@weft/core/testing"];

/** The declaration file an entry's "types" condition names. */
function declarations(label: string): string {
  const [entry, condition] = label.split("#") as [string, string | undefined];
  const [scope, name, ...rest] = entry.startsWith("@") ? entry.split("/") : ["", ...entry.split("/")];
  const pkg = scope ? `${scope}/${name}` : name!;
  let dir = dirname(require.resolve(pkg));
  while (!existsSync(join(dir, "package.json")) || (require(join(dir, "package.json")) as { name?: string }).name !== pkg) dir = dirname(dir);
  const manifestPath = join(dir, "package.json");
  const manifest = require(manifestPath) as { exports: Record<string, Record<string, unknown>> };
  const key = rest.length ? `./${rest.join("/")}` : ".";
  const conditions = manifest.exports[key]!;
  const types = (condition ? (conditions[condition] as Record<string, string>).types : conditions.types) as string;
  return new URL(types, `file://${manifestPath}`).pathname;
}

const files = Object.fromEntries([...USER_ENTRIES, ...KIT_ENTRIES].map((entry) => [entry, declarations(entry)]));
const program = ts.createProgram(Object.values(files), { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, noEmit: true, types: [] });
const checker = program.getTypeChecker();

function namesOf(entry: string): string[] {
  const source = program.getSourceFile(files[entry]!);
  const symbol = source && checker.getSymbolAtLocation(source);
  if (!symbol) throw new Error(`no declarations for ${entry} at ${files[entry]}`);
  return checker.getExportsOfModule(symbol).map((s) => s.getName()).sort();
}

for (const entry of [...USER_ENTRIES, ...KIT_ENTRIES]) {
  test(`the public names of ${entry}`, () => {
    expect(namesOf(entry)).toMatchSnapshot();
  });
}

test("every user entry exports @weft/core's API and no adapter-kit name", () => {
  const core = namesOf("@weft/core");
  const kit = new Set(KIT_ENTRIES.flatMap(namesOf));
  for (const entry of USER_ENTRIES) {
    const names = namesOf(entry);
    expect(names.filter((name) => kit.has(name) && !core.includes(name)), `${entry} leaks adapter-kit names`).toEqual([]);
    expect(core.filter((name) => !names.includes(name)), `${entry} misses user names`).toEqual([]);
  }
});
