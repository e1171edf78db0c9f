// Vite before 8 (esbuild and Rollup underneath, a dependency optimizer that pre-bundles weft):
// the @weft/vite README's app installs next to each major (the peer range), builds, previews and
// runs under the dev server. And Vite 8 without the plugin: a small task module is inlined as a
// data: URL, and the error must be short and name @weft/vite.
import { join } from "node:path";
import { check } from "../report.mjs";
import { checkPage } from "../vite-page.mjs";
import { installProject, runTool } from "./project.mjs";

/** The majors below the repository's own (which the README projects run); the newest of each. */
const OLDER_VITES = ["5.4.9", "7.3.8"];
/** A bound well above the ~300 characters of the message, well below the ~1,250 of a message carrying the data: URL twice. */
const LONGEST_MESSAGE = 700;

/** The files of a README's vite blocks, and the text its page shows. */
function readmeApp(blocks) {
  const files = Object.fromEntries(blocks.filter((b) => b.name).map((b) => [b.name, b.code]));
  const expected = blocks.find((b) => b.language === "text")?.code.trim();
  if (!files["vite.config.ts"] || !expected) throw new Error("the @weft/vite README has no vite.config.ts block or no text block");
  return { files, expected };
}

const NO_PLUGIN_APP = {
  "vite.config.ts": 'import { defineConfig } from "vite";\n\nexport default defineConfig({ build: { target: "es2022" } });\n',
  "index.html": '<!doctype html>\n<meta charset="utf-8">\n<pre><output id="out"></output></pre>\n<script type="module" src="/src/main.ts"></script>\n',
  "src/tasks.ts": "export const double = (n: number): number => n * 2;\n",
  "src/main.ts": `import { Pool } from "weftjs";

const out = document.querySelector("#out")!;
const pool = new Pool({ kind: "thread", size: 1, module: new URL("./tasks.ts", import.meta.url) });
pool.apply("double", [2]).then(
  (value) => (out.textContent = String(value)),
  (error: Error) => (out.textContent = \`\${error.name}: \${error.message}\`),
).finally(() => pool.terminate());
`,
};

export async function viteChecks({ root, tarballs, blocks, repositoryVite }) {
  const app = readmeApp(blocks.filter((b) => b.readme === "@weft/vite" && b.projects.includes("vite")));
  for (const version of OLDER_VITES) {
    const label = `[vite] vite@${version} with @weft/vite`;
    const dir = join(root, `vite-${version}`);
    let installed = false;
    await check(`${label}: npm install of weftjs, @weft/vite and vite@${version} (the peer range)`, async () => {
      await installProject(dir, tarballs, { weft: ["weftjs", "@weft/vite"], tools: { vite: version }, files: app.files });
      installed = true;
    });
    if (!installed) continue;
    const vite = join(dir, "node_modules/.bin/vite");
    let built = false;
    await check(`${label}: vite build`, async () => {
      await runTool(dir, "vite", ["build", "--logLevel", "warn"]);
      built = true;
    });
    if (built) await check(`${label}: the built app runs under vite preview in headless Chromium`, () => checkPage(vite, ["preview"], dir, { expected: app.expected }));
    await check(`${label}: the app runs under the vite dev server in headless Chromium`, () => checkPage(vite, [], dir, { expected: app.expected }));
  }

  const label = `[vite] vite@${repositoryVite} without @weft/vite`;
  const dir = join(root, "vite-no-plugin");
  let built = false;
  await check(`${label}: vite build`, async () => {
    await installProject(dir, tarballs, { weft: ["weftjs"], tools: { vite: repositoryVite }, files: NO_PLUGIN_APP });
    await runTool(dir, "vite", ["build", "--logLevel", "warn"]);
    built = true;
  });
  if (built) {
    await check(`${label}: a .ts task module inlined as a data: URL fails with a short TaskModuleLoadError that names @weft/vite`, async () => {
      let shown = "";
      await checkPage(join(dir, "node_modules/.bin/vite"), ["preview"], dir, {
        expected: (text) => ((shown = text), text.startsWith("TaskModuleLoadError:")),
        allowed: /Failed to load resource|dynamically imported module/,
      });
      if (!shown.includes("@weft/vite")) throw new Error(`the error does not name @weft/vite:\n${shown}`);
      if (shown.length > LONGEST_MESSAGE) throw new Error(`the error is ${shown.length} characters long:\n${shown}`);
    });
  }
}
