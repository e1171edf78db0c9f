// Rollup 4 with @rollup/plugin-node-resolve, as its docs say. Rollup leaves
// `new URL("./thread-entry.js", import.meta.url)` as it is and does not emit the file, so without
// a plugin every worker fails to start: weft must say so and name the plugin. With
// @web/rollup-plugin-import-meta-assets (the README's recipe) the entries and the task module are
// emitted and the app runs.
import { join } from "node:path";
import { check } from "../report.mjs";
import { APP_FILES, checkBuiltApp, indexHtml } from "./browser-app.mjs";
import { installProject, runTool, writeProjectFiles } from "./project.mjs";

const ROLLUP = { rollup: "4.69.3", "@rollup/plugin-node-resolve": "16.0.3", "@web/rollup-plugin-import-meta-assets": "2.3.3" };

function config({ assets }) {
  return `import { nodeResolve } from "@rollup/plugin-node-resolve";
${assets ? 'import { importMetaAssets } from "@web/rollup-plugin-import-meta-assets";\n' : ""}
export default {
  input: "src/main.js",
  output: { dir: "dist", format: "es" },
  plugins: [nodeResolve({ browser: true })${assets ? ", importMetaAssets()" : ""}],
};
`;
}

export async function rollupChecks({ root, tarballs }) {
  const label = `[rollup] rollup@${ROLLUP.rollup}`;
  const dir = join(root, "rollup");
  let installed = false;
  await check(`${label}: installs next to weftjs`, async () => {
    await installProject(dir, tarballs, {
      weft: ["weftjs"],
      tools: ROLLUP,
      files: { ...APP_FILES, "rollup.config.js": config({ assets: false }), "rollup.assets.config.js": config({ assets: true }) },
    });
    installed = true;
  });
  if (!installed) return;
  await check(`${label} without an assets plugin: the page gets a WorkerStartError that names the missing worker entry and the plugin`, async () => {
    await runTool(dir, "rollup", ["-c", "rollup.config.js"]);
    writeProjectFiles(dir, { "dist/index.html": indexHtml({ module: true }) });
    const shown = await checkBuiltApp(dir, (text) => text.startsWith("WorkerStartError:"), { allowed: /Failed to load resource/ });
    for (const needed of ["thread-entry.js", "@web/rollup-plugin-import-meta-assets"]) {
      if (!shown.includes(needed)) throw new Error(`the error does not name ${needed}:\n${shown}`);
    }
  });
  await check(`${label} with @web/rollup-plugin-import-meta-assets: the app runs a thread pool and a process pool in headless Chromium`, async () => {
    await runTool(dir, "rollup", ["-c", "rollup.assets.config.js"]);
    writeProjectFiles(dir, { "dist/index.html": indexHtml({ module: true }) });
    await checkBuiltApp(dir);
  });
}
