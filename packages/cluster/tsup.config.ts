import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", cli: "src/cli.ts", "testing/redis-server": "src/testing/redis-server.ts" },
  format: ["esm"],
  dts: { entry: { index: "src/index.ts", "testing/redis-server": "src/testing/redis-server.ts" } },
  clean: true,
  target: "node20",
  sourcemap: true,
  external: ["bullmq", "ioredis", "weftjs", "@weft/core"],
});
