/**
 * Which adapter the CLI tests: the one for the runtime it runs on (@weft/node, @weft/deno or
 * @weft/bun, installed beside this package), or any module given with --adapter that exports
 * an object implementing the adapter port.
 */
import { isAbsolute, resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import type { Adapter } from "@weft/core";
import { hostFromKill, type HostHooks } from "../harness.js";

export type HostRuntime = "node" | "deno" | "bun";

/** Thrown when an adapter cannot be loaded or does not implement the port. */
export class AdapterLoadError extends Error {
  override name = "AdapterLoadError";
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const globals = globalThis as any;

/** The runtime executing this code. */
export function hostRuntime(): HostRuntime {
  if (typeof globals.Deno?.version?.deno === "string") return "deno";
  if (typeof globals.Bun?.version === "string") return "bun";
  return "node";
}

/** Hooks to probe and kill worker processes by pid, with this runtime's own API. */
export function hostHooks(runtime: HostRuntime): HostHooks {
  if (runtime === "deno") return hostFromKill((pid, signal) => globals.Deno.kill(pid, signal));
  return hostFromKill(process.kill.bind(process) as (pid: number, signal: 0 | "SIGKILL") => void);
}

/** What is missing from `value` for it to be an adapter; empty when it is one. */
export function adapterProblems(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return [`it is ${value === null ? "null" : typeof value}, not an object`];
  const candidate = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof candidate.runtime !== "string") problems.push("`runtime` is not a string");
  if (typeof candidate.capabilities !== "object" || candidate.capabilities === null) problems.push("`capabilities` is not an object");
  else {
    for (const flag of ["sharedMemory", "blockingWaitOnMain", "processExitCodes", "osProcesses", "resourceLimits"]) {
      if (typeof (candidate.capabilities as Record<string, unknown>)[flag] !== "boolean") problems.push(`\`capabilities.${flag}\` is not a boolean`);
    }
  }
  if (typeof candidate.cpuCount !== "function") problems.push("`cpuCount` is not a function");
  if (typeof candidate.start !== "function") problems.push("`start` is not a function");
  return problems;
}

/** A module specifier as given on the command line: a path (relative to the working directory) or a package name. */
export function moduleUrl(specifier: string): string {
  if (specifier.startsWith(".") || isAbsolute(specifier)) return pathToFileURL(resolve(process.cwd(), specifier)).href;
  return specifier;
}

/** Loads the module's `adapter` export (or its default export) and checks it implements the port. */
export async function loadAdapter(specifier: string): Promise<Adapter> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(moduleUrl(specifier))) as Record<string, unknown>;
  } catch (error) {
    throw new AdapterLoadError(`Could not import the adapter module ${specifier}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const value = loaded.adapter ?? loaded.default;
  const problems = adapterProblems(value);
  if (problems.length) {
    throw new AdapterLoadError(
      `${specifier} must export an object implementing the adapter port (as \`adapter\` or the default export): ${problems.join("; ")}. ` +
        "See the port in @weft/core (Adapter) and the adapter authors' guide in @weft/conformance's README.",
    );
  }
  return value as Adapter;
}

/**
 * Where a Deno run of this command from Deno's npm cache finds @weft/deno: nothing is installed
 * beside this package there, and an npm package cannot import `npm:` specifiers, so the restart
 * preloads the adapter of the same release and leaves its module here (see main.ts).
 */
export const PRELOADED_ADAPTER = "weft-conformance.preloaded-adapter";

/** A module the restart preloads: imports `specifier` and leaves its namespace for {@link builtInAdapter}. */
export function adapterPreload(specifier: string): string {
  const source = `globalThis[Symbol.for(${JSON.stringify(PRELOADED_ADAPTER)})] = await import(${JSON.stringify(specifier)});\n`;
  return `data:text/javascript;base64,${btoa(source)}`;
}

/** The adapter weft ships for this runtime; it must be installed beside @weft/conformance. */
export async function builtInAdapter(runtime: HostRuntime): Promise<Adapter> {
  const name = `@weft/${runtime}`;
  const preloaded = globals[Symbol.for(PRELOADED_ADAPTER)] as { adapter?: Adapter } | undefined;
  if (preloaded?.adapter) return preloaded.adapter;
  try {
    const loaded = (await import(name)) as { adapter: Adapter };
    return loaded.adapter;
  } catch (error) {
    throw new AdapterLoadError(
      `This runs on ${runtime}, so it tests ${name}, which could not be imported (${error instanceof Error ? error.message : String(error)}). ` +
        `Install it (npm install ${name}) or pass --adapter <module>.`,
    );
  }
}
