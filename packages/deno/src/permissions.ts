/**
 * Least privilege for Deno workers: the permissions a pool, Thread or Process passes through
 * `workerOptions.runtimeOptions` (checked in runtime-options.ts), turned into a Web Worker's
 * `deno.permissions` (threads) or `--allow-*` flags (processes). By default a worker gets no
 * permission at all: loading its entry and a local task module needs none. A worker never gets
 * more than this process has.
 */
import { InvalidArgumentError } from "@weft/core";
import { deno, PERMISSION_NAMES, type PermissionDescriptor, type PermissionName } from "./deno-api.js";
import type { ResolvedPermissions } from "./runtime-options.js";

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

/** The flag Deno needs before a Worker may take `deno.permissions`. */
export const WORKER_OPTIONS_FLAG = "--unstable-worker-options";

let workerOptionsFlag: "enabled" | "missing" | "unknown" | undefined;

/**
 * Deno ends the whole process (exit code 70) when a Worker is given permissions without
 * --unstable-worker-options, and offers no API to ask beforehand. The command line is readable
 * only with --allow-all; when it is, check it (and deno.json's "unstable" list) and fail with a
 * clear error instead. Otherwise Deno's own message names the flag.
 */
function checkWorkerOptionsFlag(): "enabled" | "missing" | "unknown" {
  if (workerOptionsFlag) return workerOptionsFlag;
  workerOptionsFlag = "unknown";
  const api = deno();
  // Reading /proc/self needs every permission; asking without them could prompt the user.
  if (!PERMISSION_NAMES.every((name) => api.permissions.querySync({ name }).state === "granted")) return workerOptionsFlag;
  try {
    const args = api.readTextFileSync("/proc/self/cmdline").split("\0");
    if (args.includes(WORKER_OPTIONS_FLAG)) return (workerOptionsFlag = "enabled");
    const configAt = args.findIndex((arg) => arg === "--config" || arg === "-c" || arg.startsWith("--config="));
    const candidates: string[] = [];
    if (configAt >= 0) candidates.push(args[configAt]!.startsWith("--config=") ? args[configAt]!.slice(9) : args[configAt + 1] ?? "");
    else {
      for (let dir = api.cwd(); ; dir = dir.replace(/\/[^/]*$/, "") || "/") {
        candidates.push(`${dir}/deno.json`, `${dir}/deno.jsonc`);
        if (dir === "/") break;
      }
    }
    for (const path of candidates) {
      let text: string;
      try {
        text = api.readTextFileSync(path);
      } catch {
        continue;
      }
      return (workerOptionsFlag = text.includes("worker-options") ? "enabled" : "missing");
    }
    workerOptionsFlag = "missing";
  } catch {
    // Not Linux, or no /proc: cannot tell.
  }
  return workerOptionsFlag;
}

/** Throws when this process is known to lack {@link WORKER_OPTIONS_FLAG}, before Deno would end it for giving a Worker permissions. */
export function requireWorkerOptionsFlag(): void {
  if (checkWorkerOptionsFlag() !== "missing") return;
  throw new Error(
    `Deno thread workers run with restricted permissions, which needs Deno's ${WORKER_OPTIONS_FLAG} flag: ` +
      `start Deno with it (deno run ${WORKER_OPTIONS_FLAG} main.ts), or add "unstable": ["worker-options"] to deno.json. ` +
      `(workerOptions: { runtimeOptions: { permissions: "inherit" } } gives threads this process's permissions instead, without the flag.)`,
  );
}
