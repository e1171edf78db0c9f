/**
 * @weft/deno run from Deno's npm cache (`npm:` specifiers, no node_modules folder): what a process
 * worker's `deno run` needs then. Its main module is a data: URL, so Deno finds no deno.json by
 * itself, and the task module's bare imports ("weftjs", mapped in deno.json) would not resolve.
 */
import { denoNpmCacheSpecifier } from "@weft/core/adapter";
import { deno } from "./deno-api.js";

/** `npm:@weft/deno@<version>` when this package runs from Deno's npm cache, else undefined. */
export const FROM_NPM_CACHE = denoNpmCacheSpecifier(new URL("./process-entry.js", import.meta.url).href, "@weft/deno");

const CONFIG_NAMES = ["deno.json", "deno.jsonc"];

/**
 * The deno.json nearest the task module (a file: URL), looked for as Deno looks for a script's:
 * in its folder, then each folder above. Undefined when there is none or it may not be read.
 */
export function configNear(module: string | undefined): string | undefined {
  let folder: URL;
  try {
    if (module === undefined) return undefined;
    folder = new URL(".", module);
    if (folder.protocol !== "file:") return undefined;
  } catch {
    return undefined;
  }
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const path = decodeURIComponent(new URL(name, folder).pathname);
      try {
        if (deno().statSync(path).isFile) return path;
      } catch {
        // Not here, or not ours to read (then the user passes --config in denoArgs).
      }
    }
    const parent = new URL("..", folder);
    if (parent.href === folder.href) return undefined;
    folder = parent;
  }
}

/** The flags a process worker's `deno run` gets for modules and their imports, unless `denoArgs` sets them. */
export function moduleFlags(denoArgs: readonly string[], module: string | undefined): string[] {
  const flags: string[] = [];
  // The main module is a data: URL (see bootstrapModule), from which Deno does not look for a
  // node_modules folder by itself: resolve @weft/core and the task's npm imports through it;
  // or, where this package came from Deno's npm cache, through that cache and the task's deno.json.
  if (!denoArgs.some((arg) => arg.startsWith("--node-modules-dir"))) flags.push(`--node-modules-dir=${FROM_NPM_CACHE ? "none" : "manual"}`);
  if (FROM_NPM_CACHE && !denoArgs.some((arg) => /^(--config|-c|--no-config)(=|$)/.test(arg))) {
    const config = configNear(module);
    if (config) flags.push("--config", config);
  }
  return flags;
}
