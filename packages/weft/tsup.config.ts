import { defineConfig } from "tsup";
import { weftBuild } from "../../tsup.base.js";

export default defineConfig(weftBuild({
  entry: ["src/node.ts", "src/deno.ts", "src/bun.ts", "src/browser.ts"],
  dts: true,
  external: [/^@weft\//],
}));
