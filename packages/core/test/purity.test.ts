import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";

// The core must run unchanged on Node, Deno, Bun and in a browser: no runtime-specific imports
// or globals. Comments are ignored; everything else counts.
const FORBIDDEN: [RegExp, string][] = [
  [/from\s+["']node:/, "a node: import"],
  [/require\(\s*["']node:/, "a node: require"],
  [/from\s+["'](fs|path|os|child_process|worker_threads|url|util|events|stream|crypto)["']/, "a Node built-in import"],
  [/\bDeno\./, "the Deno global"],
  [/\bBun\./, "the Bun global"],
  [/\bprocess\.(env|exit|on|pid|argv|cwd|platform|versions)\b/, "Node's process global"],
  [/\bwindow\./, "the DOM's window"],
  [/\bdocument\./, "the DOM's document"],
  [/\blocalStorage\b/, "a DOM-only API"],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mts)$/.test(name) ? [path] : [];
  });
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

const srcDir = new URL("../src", import.meta.url).pathname;
const files = sourceFiles(srcDir);

describe("@weft/core is runtime-agnostic", () => {
  test("it has source files to check", () => {
    expect(files.length).toBeGreaterThan(5);
  });
  test.each(files.map((f) => [f.slice(srcDir.length + 1), f]))("%s imports nothing runtime-specific", (_name, file) => {
    const code = stripComments(readFileSync(file, "utf8"));
    const found = FORBIDDEN.filter(([pattern]) => pattern.test(code)).map(([, what]) => what);
    expect(found, `${file} uses ${found.join(", ")}`).toEqual([]);
  });
  test("the checker itself catches a forbidden line", () => {
    const code = stripComments('import { fork } from "node:child_process";\n// Deno.exit is fine in a comment');
    expect(FORBIDDEN.filter(([p]) => p.test(code)).map(([, w]) => w)).toEqual(["a node: import"]);
  });
});
