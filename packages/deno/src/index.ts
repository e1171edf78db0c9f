/**
 * @weft/deno — weft on Deno. Importing it installs the Deno adapter, so `Pool`, `Thread` and
 * `Process` run on module Web Workers (threads) and `deno run` children (processes), each
 * with only the Deno permissions given in `workerOptions.runtimeOptions.permissions`.
 */
import { installAdapter } from "@weft/core/adapter";
import { denoAdapter } from "./adapter.js";

installAdapter(denoAdapter);

export * from "@weft/core";
export { denoAdapter as adapter };
export type { DenoPermissions, DenoRuntimeOptions, PermissionValue, ProcessTransport } from "./runtime-options.js";
export type { PermissionName } from "./deno-api.js";
