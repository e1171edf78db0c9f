/**
 * The few things that differ between Node, Deno and Bun, found by feature detection. Everything
 * else in the demo is runtime-neutral: weft, web-standard globals (fetch, performance, URL) and
 * the `node:` built-ins that all three runtimes provide (fs, path, child_process).
 */
export type RuntimeName = "node" | "deno" | "bun";
export const RUNTIMES: readonly RuntimeName[] = ["node", "deno", "bun"];

interface DenoGlobal {
  args: string[];
  version: { deno: string };
  exit(code: number): never;
}
interface BunGlobal {
  version: string;
}
const g = globalThis as { Deno?: DenoGlobal; Bun?: BunGlobal; process?: NodeJS.Process };

export function currentRuntime(): RuntimeName {
  if (g.Deno) return "deno";
  if (g.Bun) return "bun";
  return "node";
}

export function runtimeVersion(): string {
  if (g.Deno) return g.Deno.version.deno;
  if (g.Bun) return g.Bun.version;
  return g.process?.versions.node ?? "?";
}

export function commandLineArgs(): string[] {
  if (g.Deno) return [...g.Deno.args];
  return g.process?.argv.slice(2) ?? [];
}

export function exit(code: number): never {
  if (g.Deno) return g.Deno.exit(code);
  return g.process!.exit(code);
}

// A reader that goes away (`weft-demo | head`) ends the program quietly, not with an EPIPE trace.
g.process?.stdout?.on?.("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") exit(0);
  throw error;
});

/** Writes to stdout / stderr without a newline. */
export function out(text: string): void {
  g.process!.stdout.write(text);
}
export function err(text: string): void {
  g.process!.stderr.write(text);
}

export function stderrIsTTY(): boolean {
  return Boolean(g.process?.stderr?.isTTY);
}

export function env(name: string): string | undefined {
  try {
    return g.process?.env[name];
  } catch {
    return undefined; // Deno without --allow-env
  }
}

/** A problem with what the user asked for: one line, no stack, a non-zero exit. */
export class DemoError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "DemoError";
  }
}
