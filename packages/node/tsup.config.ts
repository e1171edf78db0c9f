import { defineConfig } from "tsup";
import { weftBuild } from "../../tsup.base.js";

export default defineConfig(weftBuild({
  entry: ["src/index.ts", "src/thread-entry.ts", "src/process-entry.ts", "src/parent-watchdog.ts"],
  dts: { entry: "src/index.ts" },
}));
