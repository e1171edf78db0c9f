import { defineConfig } from "tsup";
import { weftBuild } from "../../tsup.base.js";

export default defineConfig(weftBuild({
  entry: ["src/index.ts", "src/thread-entry.ts", "src/process-entry.ts"],
  dts: { entry: "src/index.ts" },
}));
