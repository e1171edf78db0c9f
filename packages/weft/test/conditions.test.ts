import { execFileSync } from "node:child_process";
import { readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { Pool, adapter, cpuCount } from "weftjs";

const require = createRequire(import.meta.url);
const here = fileURLToPath(new URL(".", import.meta.url));

/** The runtime's binary from its npm package (as the adapters' test scripts find it). */
function binary(pkg: "deno" | "bun"): string {
  const dir = dirname(require.resolve(`${pkg}/package.json`));
  return realpathSync(pkg === "deno" ? join(dir, "deno") : join(dir, "bin", "bun.exe"));
}

/** What `import { adapter } from "weftjs"` gives when `run` runs a one-line module printing it. */
function runtimeUnder(command: string, args: string[]): string {
  return execFileSync(command, args, { cwd: here, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } }).trim();
}

const PRINT_RUNTIME = 'import { adapter } from "weftjs"; console.log(adapter.runtime);';

describe('import { Pool } from "weftjs"', () => {
  test("resolves to the Node adapter under Node", () => {
    expect(adapter.runtime).toBe("node");
    expect(cpuCount()).toBeGreaterThanOrEqual(1);
  });

  test("runs a task without naming an adapter", async () => {
    await using pool = new Pool({ size: 1 });
    expect(await pool.apply((a: number, b: number) => a * b, [6, 7])).toBe(42);
  });

  test("resolves to the Bun adapter under Bun", () => {
    expect(runtimeUnder(binary("bun"), ["-e", PRINT_RUNTIME])).toBe("bun");
  }, 60_000);

  test("resolves to the Deno adapter under Deno", () => {
    expect(runtimeUnder(binary("deno"), ["eval", "--ext=js", PRINT_RUNTIME])).toBe("deno");
  }, 60_000);

  test("resolves to the browser build under the browser condition (as bundlers resolve it), which installs @weft/browser", () => {
    const resolved = runtimeUnder(process.execPath, ["--conditions=browser", "--input-type=module", "-e", 'console.log(import.meta.resolve("weftjs"))']);
    expect(resolved).toMatch(/\/dist\/browser\.js$/);
    expect(readFileSync(fileURLToPath(resolved), "utf8")).toMatch(/from\s*["']@weft\/browser["']/);
    const types = runtimeUnder(process.execPath, ["--conditions=browser", "--input-type=module", "-e", 'console.log(import.meta.resolve("@weft/browser"))']);
    expect(types).toMatch(/@weft\/browser|packages\/browser/);
  });
});
