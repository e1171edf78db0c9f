import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Each test runs the built command, which measures speedup: one at a time.
    fileParallelism: false,
    testTimeout: 240_000,
    reporters: ["default", "json"],
    outputFile: { json: "../../results/vitest-conformance.json" },
  },
});
