import { defineConfig } from "tsup";
import { weftBuild } from "../../tsup.base.js";

export default defineConfig(weftBuild({
  entry: ["src/index.ts", "src/adapter.ts", "src/transport.ts", "src/testing.ts"],
  dts: true,
}));
