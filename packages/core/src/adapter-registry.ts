import { NoAdapterError } from "./errors.js";
import type { Adapter } from "./port.js";

const KEY = Symbol.for("weft.adapter");

/** Installs the adapter used when a Pool, Thread or Process is created without `adapter`. Adapters call this on import. */
export function installAdapter(adapter: Adapter): void {
  (globalThis as Record<symbol, Adapter | undefined>)[KEY] = adapter;
}

/** The installed adapter, or a clear error saying how to get one. */
export function defaultAdapter(): Adapter {
  const adapter = (globalThis as Record<symbol, Adapter | undefined>)[KEY];
  if (!adapter) {
    throw new NoAdapterError(
      'No weft runtime adapter is installed. Import from "weftjs" (it picks your runtime), or from @weft/node, @weft/deno, @weft/bun or @weft/browser.',
    );
  }
  return adapter;
}
