import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/thread-entry.ts", "src/process-entry.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  clean: true,
  target: "es2022",
  platform: "neutral",
  // node:v8 is Deno's Node-compatible module; it stays an import.
  external: ["node:v8"],
  removeNodeProtocol: false,
  sourcemap: true,
});
