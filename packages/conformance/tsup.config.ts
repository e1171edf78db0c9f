import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "fixtures/tasks": "src/fixtures/tasks.ts", "fixtures/thenable": "src/fixtures/thenable.ts" },
  format: ["esm"],
  dts: { entry: { index: "src/index.ts", "fixtures/tasks": "src/fixtures/tasks.ts" } },
  clean: true,
  target: "es2022",
  sourcemap: true,
  splitting: false,
});
