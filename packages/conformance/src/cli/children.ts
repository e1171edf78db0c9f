/**
 * Runs the suite on another runtime: starts that runtime's binary on this same command with
 * --emit-events, relays its events, and turns an early death into failures the matrix shows.
 */
import process from "node:process";
import type { ResultFile } from "../results.js";
import { decodeEvent, type RunEvent } from "./events.js";
import { runnerFailure } from "./failures.js";
import { runLineChild } from "./line-child.js";
import { onPath } from "./on-path.js";

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
  const exit = await runLineChild({
    command: command!,
    args,
    env: { ...process.env, NO_COLOR: "1" },
    onStdout: (line) => {
      const event = decodeEvent(line);
      if (!event) return output(line);
      reported.push(event);
      if (event.type === "done") done = event.file;
      run.onEvent(event);
    },
    onStderr: output,
  });
  if (done) return done;
  const why = exit.error
    ? `could not run ${binary}: ${exit.error.message}`
    : `${run.runtime} ended before its run finished (exit code ${exit.code}${exit.signal ? `, signal ${exit.signal}` : ""})` +
      (tail.length ? `; its last output: ${tail.join(" | ").slice(-600)}` : "");
  return runnerFailure(run.runtime, why, reported);
}
