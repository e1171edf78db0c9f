import { defineConfig } from "tsup";
import { weftBuild } from "../../tsup.base.js";

export default defineConfig(weftBuild({
  entry: { index: "src/index.ts", cli: "src/cli.ts", "testing/redis-server": "src/testing/redis-server.ts" },
  dts: { entry: { index: "src/index.ts", "testing/redis-server": "src/testing/redis-server.ts" } },
  external: ["bullmq", "ioredis", "weftjs", "@weft/core"],
}));
