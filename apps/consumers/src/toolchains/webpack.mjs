// webpack 5, configured as its docs say and nothing weft-specific: it must build the app without
// warnings (no "Critical dependency" from weft's worker entries) and the page must run both pool kinds.
import { join } from "node:path";
import { check } from "../report.mjs";
import { APP_FILES, checkBuiltApp, indexHtml } from "./browser-app.mjs";
import { installProject, runTool, writeProjectFiles } from "./project.mjs";

const WEBPACK = { webpack: "5.106.0", "webpack-cli": "6.0.0" };

const CONFIG = `import { fileURLToPath } from "node:url";

export default {
  mode: "production",
  entry: "./src/main.js",
  output: { path: fileURLToPath(new URL("./dist", import.meta.url)), clean: true },
};
`;

export async function webpackChecks({ root, tarballs }) {
  const label = `[webpack] webpack@${WEBPACK.webpack}`;
  const dir = join(root, "webpack");
  let built = false;
  await check(`${label}: builds a weftjs app with no warnings`, async () => {
    await installProject(dir, tarballs, { weft: ["weftjs"], tools: WEBPACK, files: { ...APP_FILES, "webpack.config.js": CONFIG } });
    const { stdout, stderr } = await runTool(dir, "webpack", ["--no-color"]);
    const warnings = `${stdout}\n${stderr}`.split("\n").filter((line) => /WARNING|Critical dependency|Can't resolve/.test(line));
    if (warnings.length) throw new Error(`webpack warned:\n${warnings.join("\n")}\n${stdout}`);
    writeProjectFiles(dir, { "dist/index.html": indexHtml({ module: false }) });
    built = true;
  });
  if (built) await check(`${label}: the built app runs a thread pool and a process pool on a .js task module in headless Chromium`, async () => void (await checkBuiltApp(dir)));
}
