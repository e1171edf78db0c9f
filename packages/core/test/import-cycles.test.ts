// The core's modules import each other without a cycle, counting type imports: a cycle makes a
// module's meaning depend on load order, and a reader cannot start anywhere.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? modules(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []));
}

function importsOf(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of source.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+"(\.[^"]+)"/gms)) found.push(normalize(join(dirname(file), match[1]!.replace(/\.js$/, ".ts"))));
  return found;
}

/** The import cycles among `files`, each as the path that closes it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === "open") found.push([...path.slice(path.indexOf(next)), next].map((f) => relative(SRC, f)));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

test("the core's modules form no import cycle (type imports included)", () => {
  const graph = new Map(modules(SRC).map((file) => [file, importsOf(file)]));
  expect(graph.size).toBeGreaterThan(50);
  expect(graph.get(join(SRC, "host-link.ts")), "the import reader sees a known import").toContain(join(SRC, "channels/host.ts"));
  expect(cycles(graph)).toEqual([]);
});

test("the cycle check finds a cycle when there is one", () => {
  const graph = new Map([["/a.ts", ["/b.ts"]], ["/b.ts", ["/c.ts"]], ["/c.ts", ["/a.ts"]]]);
  expect(cycles(graph).length).toBe(1);
});
