/**
 * Runs the suite on another runtime: starts that runtime's binary on this same command with
 * --emit-events, relays its events, and turns an early death into failures the matrix shows.
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import process from "node:process";
import type { ResultFile } from "../results.js";
import { decodeEvent, type RunEvent } from "./events.js";
import { runnerFailure } from "./failures.js";

/** An executable called `name` on PATH, if any. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    for (const candidate of [join(dir, name), join(dir, `${name}.exe`)]) {
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** The command line that runs `cli` (this command's file) on the runtime. */
export function runtimeCommand(runtime: "node" | "deno" | "bun", binary: string, cli: string, args: readonly string[]): string[] {
  // Deno thread workers take permissions through the Worker's unstable "deno" option.
  if (runtime === "deno") return [binary, "run", "-A", "--unstable-worker-options", cli, ...args];
  return [binary, cli, ...args];
}

export interface ChildRun {
  readonly runtime: "node" | "deno" | "bun";
  readonly binary: string | undefined;
  readonly cli: string;
  readonly args: readonly string[];
  readonly onEvent: (event: RunEvent) => void;
  /** Told which binary runs, before it starts. */
  readonly onNote?: (line: string) => void;
  /** Lines the child printed that are not events (its own logs). */
  readonly onOutput?: (line: string) => void;
}

/** Resolves the child's result file; a child that could not start or died early yields failures. */
export async function runChild(run: ChildRun): Promise<ResultFile> {
  const binary = run.binary ?? onPath(run.runtime);
  if (!binary) {
    return runnerFailure(run.runtime, `no ${run.runtime} binary on PATH; install ${run.runtime} or pass --${run.runtime} <path>`);
  }
  run.onNote?.(`${run.runtime}: ${binary}`);
  const [command, ...args] = runtimeCommand(run.runtime, binary, run.cli, run.args);
  let done: ResultFile | undefined;
  const reported: RunEvent[] = [];
  // The child's last words, to say why it died.
  const tail: string[] = [];
  const output = (line: string) => {
    tail.push(line);
    if (tail.length > 8) tail.shift();
    run.onOutput?.(line);
  };
  const exit = await new Promise<{ code: number | null; signal: string | null; error?: Error }>((resolve) => {
    const child = spawn(command!, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    const lines = (stream: NodeJS.ReadableStream, handle: (line: string) => void) => {
      let pending = "";
      stream.on("data", (chunk: Buffer) => {
        pending += chunk.toString("utf8");
        const parts = pending.split("\n");
        pending = parts.pop() ?? "";
        for (const part of parts) handle(part);
      });
      stream.on("end", () => pending && handle(pending));
    };
    lines(child.stdout!, (line) => {
      const event = decodeEvent(line);
      if (!event) return output(line);
      reported.push(event);
      if (event.type === "done") done = event.file;
      run.onEvent(event);
    });
    lines(child.stderr!, output);
    child.on("error", (error) => resolve({ code: null, signal: null, error }));
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  if (done) return done;
  const why = exit.error
    ? `could not run ${binary}: ${exit.error.message}`
    : `${run.runtime} ended before its run finished (exit code ${exit.code}${exit.signal ? `, signal ${exit.signal}` : ""})` +
      (tail.length ? `; its last output: ${tail.join(" | ").slice(-600)}` : "");
  return runnerFailure(run.runtime, why, reported);
}
