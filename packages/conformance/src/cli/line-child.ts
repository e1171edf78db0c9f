/**
 * A child process read line by line, with its end as one value: the CLI's runtime children, and
 * the scripts that run a runtime's own test runner (@weft/bun's `npm test`, @weft/deno's), which
 * must count a runner that crashed or hung as a failure. Node-only; exported as
 * `@weft/conformance/line-child`.
 */
import { spawn } from "node:child_process";

/** What to run, and where its lines go. */
export interface LineChild {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Each line of its stdout (without the newline); the last one also when it ends without one. */
  readonly onStdout: (line: string) => void;
  /** Each line of its stderr. */
  readonly onStderr: (line: string) => void;
  /** Killed with SIGKILL once it has run this long (presumed hung), after {@link onTimeout}. */
  readonly timeoutMs?: number;
  readonly onTimeout?: () => void;
}

/** How the child ended: its code or signal, or the error that kept it from starting. */
export interface ChildEnd {
  readonly code: number | null;
  readonly signal: string | null;
  readonly error?: Error;
}

/** Calls `handle` with each line `stream` carries. */
export function eachLine(stream: NodeJS.ReadableStream, handle: (line: string) => void): void {
  let pending = "";
  stream.on("data", (chunk: Buffer) => {
    pending += chunk.toString("utf8");
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) handle(line);
  });
  stream.on("end", () => pending && handle(pending));
}

/** Runs the child to its end; settles once its output is read (never rejects). */
export function runLineChild(run: LineChild): Promise<ChildEnd> {
  return new Promise((resolve) => {
    const child = spawn(run.command, [...run.args], { cwd: run.cwd, env: run.env, stdio: ["ignore", "pipe", "pipe"] });
    eachLine(child.stdout, run.onStdout);
    eachLine(child.stderr, run.onStderr);
    const timer =
      run.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            run.onTimeout?.();
            child.kill("SIGKILL");
          }, run.timeoutMs);
    const settle = (end: ChildEnd) => {
      clearTimeout(timer);
      resolve(end);
    };
    child.on("error", (error) => settle({ code: null, signal: null, error }));
    child.on("close", (code, signal) => settle({ code, signal }));
  });
}
