/**
 * Where a file of an npm package lives when Deno runs it from its global npm cache (an `npm:`
 * specifier without a node_modules folder): `<DENO_DIR>/npm/<registry>/<name>/<version>/…`.
 * Deno resolves such a file's own imports only after the package was loaded through `npm:`, so an
 * adapter that starts a new `deno run` on one of its files must load `npm:<name>@<version>`
 * first. Pure string work, shared by @weft/deno and @weft/conformance.
 */

/** `npm:<name>@<version>` when `fileUrl` is a file of package `name` in Deno's npm cache; undefined in a node_modules folder or elsewhere. */
export function denoNpmCacheSpecifier(fileUrl: string, name: string): string | undefined {
  let path: string;
  try {
    const url = new URL(fileUrl);
    if (url.protocol !== "file:") return undefined;
    path = decodeURIComponent(url.pathname).replaceAll("\\", "/");
  } catch {
    return undefined;
  }
  if (path.includes("/node_modules/")) return undefined;
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // /npm/<the registry's folder>/<name>/<version>/<a file of the package>
  const version = new RegExp(`/npm/[^/]+/${escaped}/([^/]+)/.`).exec(path)?.[1];
  return version ? `npm:${name}@${version}` : undefined;
}
