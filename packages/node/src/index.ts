/**
 * @weft/node — weft on Node.js. Importing it installs the Node adapter, so `Pool`, `Thread` and
 * `Process` run on worker_threads (threads) and child_process.fork (processes).
 */
import { installAdapter } from "@weft/core/adapter";
import { nodeAdapter } from "./adapter.js";

installAdapter(nodeAdapter);

export * from "@weft/core";
export { nodeAdapter as adapter };
