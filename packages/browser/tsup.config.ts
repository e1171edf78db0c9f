import { defineConfig } from "tsup";
import { weftBuild } from "../../tsup.base.js";

export default defineConfig([
  weftBuild({
    // The library: @weft/core stays an import, so the page and the user's code share one core.
    entry: ["src/index.ts"],
    dts: { entry: "src/index.ts" },
    platform: "browser",
  }),
  weftBuild({
    // The worker entries: one self-contained file each, core included. A module worker cannot
    // resolve `@weft/core` without a bundler (import maps do not reach workers everywhere), and
    // a worker has its own realm anyway, so nothing is lost by its own copy of the core.
    entry: ["src/thread-entry.ts", "src/process-entry.ts"],
    noExternal: [/^@weft\/core/],
    splitting: false,
    // The library build above cleans the folder; this one must not wipe what it wrote.
    clean: false,
    platform: "browser",
  }),
]);
