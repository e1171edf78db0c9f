import { defineConfig } from "tsup";

// Built to JavaScript: Node 20 cannot run a .ts worker, and workers import dist/tasks.js by URL.
export default defineConfig({
  entry: ["src/main.ts", "src/tasks.ts", "src/demo.ts", "src/web-server.ts"],
  format: ["esm"],
  clean: true,
  target: "node20",
  platform: "node",
  // `weftjs` stays an import, so each runtime resolves it through its own export condition.
  external: ["weftjs"],
});
