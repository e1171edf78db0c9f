/**
 * @weftjs/bun — weft on Bun. Importing it installs the Bun adapter, so `Pool`, `Thread` and
 * `Process` run on Bun's Worker (threads) and on `Bun.spawn` children with IPC (processes).
 */
import { installAdapter } from "@weftjs/core";
import { bunAdapter } from "./adapter.js";

installAdapter(bunAdapter);

export * from "@weftjs/core";
export { bunAdapter as adapter };
