/**
 * What every package's build shares, once: ESM only, ES2022 (Node 20 and every current browser),
 * source maps, a clean dist. A package's tsup.config.ts says only what is its own (entries,
 * platform, externals) with {@link weftBuild}.
 */
import type { Options } from "tsup";

export const BASE_BUILD: Options = {
  format: ["esm"],
  clean: true,
  target: "es2022",
  sourcemap: true,
};

/** One build of a package: the shared settings, then the package's own. */
export function weftBuild(options: Options): Options {
  return { ...BASE_BUILD, ...options };
}
