import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/node.ts", "src/deno.ts", "src/bun.ts", "src/browser.ts"],
  format: ["esm"],
  dts: { entry: ["src/node.ts"] },
  clean: true,
  target: "es2022",
  external: [/^@weftjs\//],
});
