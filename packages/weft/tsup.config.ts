import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/node.ts", "src/deno.ts", "src/bun.ts", "src/browser.ts"],
  format: ["esm"],
  dts: true,
  clean: true,
  target: "es2022",
  external: [/^@weft\//],
});
