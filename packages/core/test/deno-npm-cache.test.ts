import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { denoNpmCacheSpecifier } from "../src/deno-npm-cache.js";

describe("denoNpmCacheSpecifier", () => {
  it("names the package and version of a file in Deno's npm cache", () => {
    expect(denoNpmCacheSpecifier("file:///home/me/.cache/deno/npm/registry.npmjs.org/@weft/deno/0.1.0/dist/process-entry.js", "@weft/deno")).toBe("npm:@weft/deno@0.1.0");
    expect(denoNpmCacheSpecifier("file:///tmp/d/npm/127.0.0.1_4873/weftjs/1.2.3-rc.1/dist/index.js", "weftjs")).toBe("npm:weftjs@1.2.3-rc.1");
  });

  it("is undefined in a node_modules folder, outside the cache, for another package or a non-file URL", () => {
    expect(denoNpmCacheSpecifier("file:///app/node_modules/.deno/@weft+deno@0.1.0/node_modules/@weft/deno/dist/x.js", "@weft/deno")).toBeUndefined();
    expect(denoNpmCacheSpecifier("file:///repo/packages/deno/dist/process-entry.js", "@weft/deno")).toBeUndefined();
    expect(denoNpmCacheSpecifier("file:///d/npm/registry.npmjs.org/@weft/core/0.1.0/dist/x.js", "@weft/deno")).toBeUndefined();
    expect(denoNpmCacheSpecifier("https://esm.sh/npm/@weft/deno/0.1.0/x.js", "@weft/deno")).toBeUndefined();
    expect(denoNpmCacheSpecifier("not a url", "@weft/deno")).toBeUndefined();
  });

  it("reads back any registry folder, version and file below the package", () => {
    const segment = fc.stringMatching(/^[a-z0-9._-]{1,12}$/).filter((s) => s !== "." && s !== ".." && s !== "node_modules");
    fc.assert(
      fc.property(segment, segment, fc.array(segment, { minLength: 1, maxLength: 3 }), (registry, version, rest) => {
        const url = `file:///cache/npm/${registry}/@weft/deno/${version}/${rest.join("/")}`;
        expect(denoNpmCacheSpecifier(url, "@weft/deno")).toBe(`npm:@weft/deno@${version}`);
      }),
    );
  });
});
