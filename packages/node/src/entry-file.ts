import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Checks that a worker entry file is where this module expects it. A bundler that inlines
 * @weft/node into an app leaves the entries behind; without this check the child dies with
 * Node's own "Cannot find module" and the pool only sees workers that never got ready.
 */
export function requireEntryFile(entry: URL): void {
  if (existsSync(entry)) return;
  const name = fileURLToPath(entry).split(/[\\/]/).pop();
  throw new Error(
    `weft's worker entry ${fileURLToPath(entry)} does not exist. A bundled app must ship @weft/node's dist/${name} ` +
      `next to its bundle: give it to the bundler as an entry point of that name (see "Bundled Node apps" in the weftjs README).`,
  );
}
