/**
 * @weft/vite — makes weft task modules survive `vite build`.
 *
 * A task module is given to a pool as `new URL("./tasks.ts", import.meta.url)`. Under `vite`
 * (dev) the worker imports it straight from the dev server, compiled, with its own imports. Under
 * `vite build`, Vite treats that URL as an asset: it copies the file as it is (a `.ts` file is not
 * compiled) or inlines a small one as a `data:` URL (whose relative imports then cannot resolve).
 * This plugin turns each such URL into an entry chunk of the build instead: compiled, its imports
 * bundled or split into shared chunks, and its exports kept by name (`preserveSignature:
 * "strict"`), so a worker can `import()` it and call its functions.
 */
import type { Plugin } from "vite";

/** `new URL("./x.ts", import.meta.url)` with a relative script path (quotes of either kind). */
const SCRIPT_URL = /new\s+URL\s*\(\s*(["'])(\.{1,2}\/[^"'\n]+?\.(?:[cm]?[jt]s|[jt]sx))\1\s*,\s*import\.meta\.url\s*\)/g;
/** What comes right before a URL that Vite's own worker plugin owns: `new Worker(` / `new SharedWorker(`. */
const WORKER_CALL_BEFORE = /new\s+(?:Shared)?Worker\s*\(\s*$/;
/** A line that is a comment up to the match: a TSDoc example, not code. */
const IN_COMMENT = /^\s*(?:\*|\/\/)|\/\//;
/** The modules whose source is scanned: the app's own scripts (dependencies are left to Vite). */
const SCANNED_ID = /\.(?:[cm]?[jt]s|[jt]sx|vue|svelte)$/;

/** weft's packages whose worker entries must stay next to their files in the dev server. */
const OPTIMIZER_EXCLUDED = ["weftjs", "@weft/browser", "@weft/core"] as const;

/** Options of {@link weft}. */
export interface WeftPluginOptions {
  /**
   * Which modules to scan for `new URL("./…", import.meta.url)` task module references. Default:
   * every script of the app outside `node_modules`.
   */
  readonly include?: (id: string) => boolean;
}

function defaultInclude(id: string): boolean {
  return !id.includes("/node_modules/");
}

/**
 * The plugin: add `weft()` to `plugins` in vite.config (Vite 5 to 8). In `vite build` it builds
 * task modules as chunks; for the dev server, which serves task modules compiled already, it only
 * keeps weftjs, @weft/browser and @weft/core out of the dependency optimizer (`optimizeDeps.exclude`).
 *
 * Every `new URL("./file.ts", import.meta.url)` (also `.js`, `.mjs`, `.mts`, `.jsx`, `.tsx`) in
 * the app's own code, except the argument of `new Worker(…)` (Vite's worker plugin handles that),
 * is built as a module chunk whose exports keep their names, and the expression becomes that
 * chunk's URL. To reference a script file as a plain asset instead, import it with `?url`.
 */
export function weft(options: WeftPluginOptions = {}): Plugin {
  const include = options.include ?? defaultInclude;
  let building = false;
  return {
    name: "weft:task-modules",
    enforce: "pre",
    config() {
      // Vite 5–7's dev server pre-bundles dependencies into .vite/deps, where the worker entries'
      // `new URL("./thread-entry.js", import.meta.url)` points at a file that is not there.
      return { optimizeDeps: { exclude: [...OPTIMIZER_EXCLUDED] } };
    },
    configResolved(config) {
      building = config.command === "build";
    },
    async transform(code, id) {
      // The dev server serves task modules compiled already.
      if (!building) return null;
      if (id.startsWith("\0") || id.includes("?")) return null;
      if (!SCANNED_ID.test(id) || !include(id) || !code.includes("import.meta.url")) return null;
      let changed = false;
      let out = "";
      let last = 0;
      for (const match of code.matchAll(SCRIPT_URL)) {
        const start = match.index;
        if (WORKER_CALL_BEFORE.test(code.slice(Math.max(0, start - 40), start))) continue;
        if (IN_COMMENT.test(code.slice(code.lastIndexOf("\n", start) + 1, start))) continue;
        const specifier = match[2] as string;
        const resolved = await this.resolve(specifier, id);
        // No such file (or text inside a string): left to Vite, which warns about missing files.
        if (!resolved || resolved.external) continue;
        const reference = this.emitFile({ type: "chunk", id: resolved.id, preserveSignature: "strict" });
        out += `${code.slice(last, start)}new URL(import.meta.ROLLUP_FILE_URL_${reference}, import.meta.url)`;
        last = start + match[0].length;
        changed = true;
      }
      if (!changed) return null;
      return { code: out + code.slice(last), map: null };
    },
  };
}

export default weft;
