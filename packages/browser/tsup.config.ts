import { defineConfig } from "tsup";

export default defineConfig([
  {
    // The library: @weft/core stays an import, so the page and the user's code share one core.
    entry: ["src/index.ts"],
    format: ["esm"],
    dts: { entry: "src/index.ts" },
    clean: true,
    target: "es2022",
    platform: "browser",
    sourcemap: true,
  },
  {
    // The worker entries: one self-contained file each, core included. A module worker cannot
    // resolve `@weft/core` without a bundler (import maps do not reach workers everywhere), and
    // a worker has its own realm anyway, so nothing is lost by its own copy of the core.
    entry: ["src/thread-entry.ts", "src/process-entry.ts"],
    format: ["esm"],
    noExternal: [/^@weft\/core/],
    splitting: false,
    target: "es2022",
    platform: "browser",
    sourcemap: true,
  },
]);
