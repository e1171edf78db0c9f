import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { Pool, adapter, cpuCount } from "weftjs";

const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

describe('import { Pool } from "weftjs"', () => {
  test("resolves to the Node adapter under Node", () => {
    expect(adapter.runtime).toBe("node");
    expect(cpuCount()).toBeGreaterThanOrEqual(1);
  });

  test("runs a task without naming an adapter", async () => {
    await using pool = new Pool({ size: 1 });
    expect(await pool.apply((a: number, b: number) => a * b, [6, 7])).toBe(42);
  });

  test("maps every runtime's export condition to its adapter", () => {
    const conditions = manifest.exports["."];
    for (const runtime of ["node", "deno", "bun", "browser"]) {
      // Each condition carries its own types, so Deno-only and Bun-only types are reachable.
      expect(conditions[runtime]).toEqual({ types: `./dist/${runtime}.d.ts`, default: `./dist/${runtime}.js` });
      expect(readFileSync(new URL(`../src/${runtime}.ts`, import.meta.url), "utf8")).toContain(`@weft/${runtime}`);
    }
  });
});
