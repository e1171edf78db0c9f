import { defineConfig } from "tsup";
import { weftBuild } from "../../tsup.base.js";

export default defineConfig(weftBuild({
  entry: ["src/index.ts"],
  dts: true,
  platform: "node",
  external: ["vite"],
}));
