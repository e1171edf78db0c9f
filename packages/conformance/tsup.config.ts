import { defineConfig } from "tsup";
import { weftBuild } from "../../tsup.base.js";

const entry = {
  index: "src/index.ts",
  "fixtures/tasks": "src/fixtures/tasks.ts",
  "fixtures/thenable": "src/fixtures/thenable.ts",
  "fixtures/manager-tasks": "src/fixtures/manager-tasks.ts",
  "fixtures/handle-tasks": "src/fixtures/handle-tasks.ts",
  // The command (bin) and the page its browser run opens; each bundles the suite it runs.
  cli: "src/cli/main.ts",
  "browser-page": "src/cli/browser-page.ts",
  chromium: "src/cli/chromium.ts",
  // For the scripts that run a runtime's own test runner (see line-child.ts).
  "line-child": "src/cli/line-child.ts",
};

export default defineConfig(weftBuild({
  entry,
  dts: { entry: { index: "src/index.ts", "fixtures/tasks": "src/fixtures/tasks.ts", chromium: "src/cli/chromium.ts", "line-child": "src/cli/line-child.ts" } },
  splitting: false,
  // Deno resolves Node built-ins only with the node: prefix.
  removeNodeProtocol: false,
  // The adapters are found at run time beside this package (whichever the runtime needs).
  // @sparticuz/chromium is optional: found at run time if the user installed it, never bundled.
  external: ["@weft/core", "@weft/node", "@weft/deno", "@weft/bun", "@weft/browser", "@sparticuz/chromium"],
}));
