// The browser app the bundler checks build: a self-contained .js task module given as
// `new URL("./tasks.js", import.meta.url)`, a thread pool and a process pool, the result (or the
// error's name and message) shown in <output id="out">. Served as a static host serves it.
import { join } from "node:path";
import { showsOnPage } from "../page.mjs";
import { serveStatic } from "../static-server.mjs";

export const APP_FILES = {
  "src/tasks.js": "export function square(x) {\n  return x * x;\n}\n",
  "src/main.js": `import { Pool } from "weftjs";

async function squares(kind) {
  const pool = new Pool({ kind, size: 2, module: new URL("./tasks.js", import.meta.url) });
  try {
    return \`\${kind}: \${await pool.map("square", [1, 2, 3])}\`;
  } finally {
    await pool.terminate();
  }
}

const out = document.querySelector("#out");
Promise.all([squares("thread"), squares("process")]).then(
  (lines) => (out.textContent = lines.join("\\n")),
  (error) => (out.textContent = \`\${error.name}: \${error.message}\`),
);
`,
};

export const APP_SHOWS = "thread: 1,4,9\nprocess: 1,4,9";

/** The page of a build in `dist`: `main.js` as a classic script or as a module. */
export function indexHtml({ module }) {
  return `<!doctype html>\n<meta charset="utf-8">\n<pre><output id="out"></output></pre>\n<script ${module ? 'type="module" ' : ""}src="./main.js"></script>\n`;
}

/** Serves `dir/dist` and returns what the page shows once it shows `expected` (a string, or a predicate). */
export async function checkBuiltApp(dir, expected = APP_SHOWS, options) {
  const server = await serveStatic(join(dir, "dist"));
  try {
    return await showsOnPage(server.url, expected, server.output, options);
  } finally {
    server.stop();
  }
}
