/**
 * @weft/bun — weft on Bun. Importing it installs the Bun adapter, so `Pool`, `Thread` and
 * `Process` run on Bun's Worker (threads) and on `Bun.spawn` children with IPC (processes).
 */
import { installAdapter } from "@weft/core/adapter";
import { bunAdapter } from "./adapter.js";

installAdapter(bunAdapter);

export * from "@weft/core";
export { bunAdapter as adapter };
