import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/adapter.ts", "src/transport.ts", "src/testing.ts"],
  format: ["esm"],
  // @internal members (a Future's settling methods) stay out of the declarations users see.
  dts: { compilerOptions: { stripInternal: true } },
  clean: true,
  target: "es2022",
  sourcemap: true,
});
