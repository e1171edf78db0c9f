/**
 * The script a Deno thread worker runs: the core's Web Worker entry. Deno's Worker tells its host
 * neither that it closed nor with which code (Deno.exit in a worker just closes it), so the
 * entry's last message says so; Deno.exit is routed through the same end.
 */
import { serveInWebWorker } from "@weft/core/adapter";
import { deno } from "./deno-api.js";

const api = deno() as { exit: (code?: number) => never };

serveInWebWorker("thread", {
  adapterName: "@weft/deno",
  replaceRuntimeExit: (exit) => void (api.exit = exit),
});
