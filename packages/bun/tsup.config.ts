import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/thread-entry.ts", "src/process-entry.ts", "src/parent-watchdog.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  clean: true,
  target: "es2022",
  platform: "node",
  sourcemap: true,
  // Bun's own module, there at run time (the adapter only ever runs under Bun).
  external: ["bun:jsc"],
});
