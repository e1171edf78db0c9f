/**
 * Least privilege for Deno workers: the `permissions` a pool, Thread or Process passes through
 * `workerOptions.runtimeOptions`, turned into a Web Worker's `deno.permissions` (threads) or
 * `--allow-*` flags (processes). By default a worker gets no permission at all: loading its
 * entry and a local task module needs none.
 */
import { InvalidArgumentError } from "@weft/core";
import { deno, type PermissionDescriptor, type PermissionName } from "./deno-api.js";

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

export const PERMISSION_NAMES: readonly PermissionName[] = ["read", "write", "net", "env", "run", "ffi", "sys", "import"];
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

function descriptor(name: PermissionName, item: string): PermissionDescriptor {
  switch (name) {
    case "read":
    case "write":
    case "ffi":
      return { name, path: item };
    case "net":
    case "import":
      return { name, host: item };
    case "env":
      return { name, variable: item };
    case "run":
      return { name, command: item };
    case "sys":
      return { name, kind: item };
  }
}

/** A child process is started by us, so Deno does not stop it getting more than we have: we do. */
function refuseEscalation(name: PermissionName, item?: string): void {
  const state = deno().permissions.querySync(item === undefined ? { name } : descriptor(name, item)).state;
  if (state === "granted") return;
  const what = item === undefined ? `all "${name}" access` : `"${name}" access to ${item}`;
  const Refused = (globalThis as { Deno?: { errors?: { NotCapable?: ErrorConstructor } } }).Deno?.errors?.NotCapable ?? Error;
  throw new Refused(`A worker cannot get ${what}: this process does not have it (grant it with --allow-${name}${item === undefined ? "" : `=${item}`}).`);
}

/** The `--allow-*` flags that give a `deno run` child exactly these permissions. */
export function permissionFlags(permissions: ResolvedPermissions): string[] {
  const flags: string[] = [];
  if (permissions === "inherit") {
    // Only names granted in full can be handed on; Deno does not list partial grants.
    for (const name of PERMISSION_NAMES) if (deno().permissions.querySync({ name }).state === "granted") flags.push(`--allow-${name}`);
    return flags;
  }
  for (const name of PERMISSION_NAMES) {
    const value = permissions[name];
    if (value === false) continue;
    if (value === true) {
      refuseEscalation(name);
      flags.push(`--allow-${name}`);
      continue;
    }
    if (value.length === 0) continue;
    for (const item of value) {
      if (item.includes(",")) throw new InvalidArgumentError(`Deno permission "${name}" entry ${JSON.stringify(item)} contains a comma, which deno's --allow-${name} flag cannot carry.`);
      refuseEscalation(name, item);
    }
    flags.push(`--allow-${name}=${value.join(",")}`);
  }
  return flags;
}

/** The `deno.permissions` option of a Web Worker. */
export function workerPermissions(permissions: ResolvedPermissions): "inherit" | Record<string, boolean | string[]> {
  if (permissions === "inherit") return "inherit";
  const out: Record<string, boolean | string[]> = {};
  for (const name of PERMISSION_NAMES) {
    const value = permissions[name];
    out[name] = value === true || value === false ? value : [...value];
  }
  return out;
}

/** Where the bootstrap leaves the {@link FramesSocket} for the process entry (see frame-socket.ts). */
export const FRAMES_SOCKET_KEY = "weft.deno.framesSocket";

/** Where a process worker's parent listens for its frames, and the parent's pid (its ppid may already be another's when it starts). */
export interface FramesSocket {
  readonly path: string;
  readonly parent: number;
}

/**
 * The worker's main module: the adapter's entry, plus the task module named in a dynamic import
 * that is never called. Deno loads a worker's whole module graph up front, with the parent's
 * rights, including statically written dynamic imports; so the task module and what it imports
 * are loaded without giving the worker any read permission, while a module that fails to load
 * still fails only when the entry imports it (each task rejects with TaskModuleLoadError).
 *
 * `framesSocket` (process workers) is left on globalThis for the entry, which is imported after
 * it: a query on the entry's URL would be lost, as Deno drops it from `import.meta.url` for a
 * module under node_modules.
 *
 * `npmPackage` (an entry in Deno's npm cache, no node_modules folder): Deno resolves the entry's
 * own imports (@weft/core) only once its package was loaded through that `npm:` specifier, so it
 * is imported first, and the entry by a URL Deno does not load up front.
 */
export function bootstrapModule(entry: URL, module: string | undefined, framesSocket?: FramesSocket, npmPackage?: string): string {
  const handOver = framesSocket === undefined ? "" : `globalThis[Symbol.for(${JSON.stringify(FRAMES_SOCKET_KEY)})] = ${JSON.stringify(framesSocket)};\n`;
  let source =
    npmPackage !== undefined
      ? `${handOver}await import(${JSON.stringify(npmPackage)});\nconst entry = ${JSON.stringify(entry.href)};\nawait import(entry);\n`
      : framesSocket === undefined
        ? `import ${JSON.stringify(entry.href)};\n`
        : `${handOver}await import(${JSON.stringify(entry.href)});\n`;
  let target: URL | undefined;
  try {
    target = module === undefined ? undefined : new URL(module);
  } catch {
    // Not an absolute URL: the worker resolves it itself, with its own permissions.
  }
  if (target) source += `export const preload = () => import(${JSON.stringify(target.href)});\n`;
  return `data:text/javascript;base64,${btoa(source)}`;
}
