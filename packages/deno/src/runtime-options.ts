/**
 * What `workerOptions.runtimeOptions` accepts on Deno, and its checks: unknown keys and malformed
 * values fail at the call (InvalidArgumentError). permissions.ts turns the permissions read here
 * into what Deno takes; process-endpoint.ts uses the rest.
 */
import { InvalidArgumentError } from "@weft/core";
import { PERMISSION_NAMES, type PermissionName } from "./deno-api.js";

/** How a process worker's messages reach its parent: see {@link DenoRuntimeOptions.transport}. */
export type ProcessTransport = "auto" | "pipe" | "socket";
const PROCESS_TRANSPORTS: readonly ProcessTransport[] = ["auto", "pipe", "socket"];

/** `true` grants the whole permission, `false` none, a list only those paths/hosts/names. */
export type PermissionValue = boolean | readonly (string | URL)[];

/** Deno permissions for a worker, by name; a name left out is not granted. */
export type DenoPermissions = { readonly [name in PermissionName]?: PermissionValue };

/** What `workerOptions.runtimeOptions` accepts on Deno. */
export interface DenoRuntimeOptions {
  /**
   * The worker's permissions: "none" (the default), "inherit" (everything this process has), or
   * a {@link DenoPermissions} object. A worker never gets more than its parent has.
   */
  readonly permissions?: "none" | "inherit" | DenoPermissions;
  /**
   * Extra `deno run` flags for process workers (e.g. `["--config", "deno.json"]`,
   * `["--node-modules-dir=manual"]`). Permission flags belong in `permissions`.
   */
  readonly denoArgs?: readonly string[];
  /**
   * How a process worker's messages reach this process (threads ignore it):
   * - "auto" (the default): a Unix socket when this process has read, write and net permission
   *   for everything (e.g. `-A`), else the child's stdout. The socket carries a busy sender's
   *   frames faster (a pipe holds 64 KB); the child gets access to that socket's path only.
   * - "pipe": always the child's stdout, whatever this process may do.
   * - "socket": always a socket; the worker fails to start (NotCapable) where there can be none.
   *
   * With a socket, what a task prints goes straight to the inherited stdout; over the pipe it
   * passes through this process between frames. Messages to the worker use its stdin either way.
   */
  readonly transport?: ProcessTransport;
}

const RUNTIME_OPTION_KEYS = ["permissions", "denoArgs", "transport"];

/** Permissions as the worker gets them: "inherit", or every name mapped to false/true/a list. */
export type ResolvedPermissions = "inherit" | Readonly<Record<PermissionName, false | true | readonly string[]>>;

function toText(item: string | URL, name: PermissionName): string {
  if (item instanceof URL) {
    if (item.protocol !== "file:") return name === "net" || name === "import" ? item.host : item.href;
    return decodeURIComponent(item.pathname);
  }
  if (typeof item !== "string" || item === "") {
    throw new InvalidArgumentError(`Deno permission "${name}" lists ${JSON.stringify(item)}; list non-empty strings (paths, hosts, names) or URLs.`);
  }
  return item;
}

/** Reads and checks `runtimeOptions`; unknown keys and malformed values fail at the call. */
export function resolveRuntimeOptions(runtimeOptions: Readonly<Record<string, unknown>> | undefined): {
  permissions: ResolvedPermissions;
  denoArgs: readonly string[];
  transport: ProcessTransport;
} {
  const options = (runtimeOptions ?? {}) as DenoRuntimeOptions;
  for (const key of Object.keys(options)) {
    if (!RUNTIME_OPTION_KEYS.includes(key)) {
      throw new InvalidArgumentError(`Unknown Deno runtime option "${key}"; known: ${RUNTIME_OPTION_KEYS.join(", ")}.`);
    }
  }
  const denoArgs = options.denoArgs ?? [];
  if (!Array.isArray(denoArgs) || denoArgs.some((arg) => typeof arg !== "string")) {
    throw new InvalidArgumentError("runtimeOptions.denoArgs must be an array of strings (deno run flags).");
  }
  const transport = options.transport ?? "auto";
  if (!PROCESS_TRANSPORTS.includes(transport)) {
    throw new InvalidArgumentError(`runtimeOptions.transport must be ${PROCESS_TRANSPORTS.map((name) => `"${name}"`).join(", ")}; got ${JSON.stringify(transport)}.`);
  }
  const given = options.permissions ?? "none";
  if (given === "inherit") return { permissions: "inherit", denoArgs, transport };
  const resolved = Object.fromEntries(PERMISSION_NAMES.map((name) => [name, false])) as Record<PermissionName, false | true | readonly string[]>;
  if (given === "none") return { permissions: resolved, denoArgs, transport };
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new InvalidArgumentError(`runtimeOptions.permissions must be "none", "inherit" or an object such as { read: ["./data"] }; got ${String(given)}.`);
  }
  for (const [key, value] of Object.entries(given)) {
    const name = key as PermissionName;
    if (!PERMISSION_NAMES.includes(name)) {
      throw new InvalidArgumentError(`Unknown Deno permission "${key}"; known: ${PERMISSION_NAMES.join(", ")}.`);
    }
    if (value === undefined || value === false) continue;
    if (value === true) resolved[name] = true;
    else if (Array.isArray(value)) resolved[name] = value.map((item) => toText(item, name));
    else throw new InvalidArgumentError(`Deno permission "${key}" must be true, false or a list; got ${String(value)}.`);
  }
  return { permissions: resolved, denoArgs, transport };
}
