/**
 * Starts what a cluster test needs as real OS processes: a redis-server, and worker nodes through
 * the `weft-cluster` CLI on Node, Bun or Deno, each told its name in WEFT_TEST_NODE.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, afterEach, beforeAll } from "vitest";
import { defaultFixtures } from "@weft/conformance";

export const packageDir = fileURLToPath(new URL("../..", import.meta.url));
export const cli = join(packageDir, "dist/cli.js");
export const nodeTasks = join(packageDir, "test/fixtures/node-tasks.mjs");
const require = createRequire(import.meta.url);
export const conformanceFixtures = fileURLToPath(defaultFixtures);

export type Runtime = "node" | "bun" | "deno";

/**
 * The runtime's own executable from its npm package. Deno's package bin is a Node wrapper that
 * does not pass signals on, so its binary beside package.json is used; a SIGTERM meant for a node
 * must reach the node.
 */
function binary(name: "bun" | "deno"): string {
  const manifestPath = require.resolve(`${name}/package.json`);
  if (name === "deno") return realpathSync(join(dirname(manifestPath), "deno"));
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin[name];
  return join(dirname(manifestPath), bin);
}

/** The command line that runs a script file on `runtime`. */
export function runtimeCommand(runtime: Runtime, script: string, args: readonly string[]): [string, string[]] {
  if (runtime === "node") return [process.execPath, [script, ...args]];
  if (runtime === "bun") return [binary("bun"), [script, ...args]];
  return [binary("deno"), ["run", "-A", "--unstable-worker-options", script, ...args]];
}

export interface NodeProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Resolves with the exit code (or signal) when the node process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface NodeOptions {
  readonly redis: string;
  readonly name: string;
  readonly runtime?: Runtime;
  readonly kind?: "thread" | "process";
  readonly size?: number;
  readonly queue?: string;
  readonly lockDuration?: number;
  readonly stalledInterval?: number;
  readonly grace?: number;
  /** More command-line arguments after the usual ones. */
  readonly args?: readonly string[];
  /** More environment variables for the node. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts a worker node serving the test modules "fixtures" and "node"; resolves once it says it is ready. */
export async function startNode(options: NodeOptions): Promise<NodeProcess> {
  const args = [
    "worker", "--redis", options.redis,
    "--module", `fixtures=${conformanceFixtures}`, "--module", `node=${nodeTasks}`,
    "--kind", options.kind ?? "thread", "--size", String(options.size ?? 2),
    "--queue", options.queue ?? "weft-test",
    "--lock-duration", String(options.lockDuration ?? 4000), "--stalled-interval", String(options.stalledInterval ?? 2000),
    ...(options.grace ? ["--grace", String(options.grace)] : []),
    ...(options.args ?? []),
    // Deno workers get least privilege: the fixtures read the node's name from the environment.
    ...(options.runtime === "deno" ? ["--worker-options", JSON.stringify({ runtimeOptions: { permissions: { env: ["WEFT_TEST_NODE"] } } })] : []),
  ];
  const [command, argv] = runtimeCommand(options.runtime ?? "node", cli, args);
  const child = spawn(command, argv, { cwd: packageDir, env: { ...process.env, WEFT_TEST_NODE: options.name, NO_COLOR: "1", ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout!.on("data", (chunk) => (text += chunk));
  child.stderr!.on("data", (chunk) => (text += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${options.name} was not ready after 30 s:\n${text}`)), 30_000);
    const check = () => {
      if (/ ready: /.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`node ${options.name} exited (${code ?? signal}) before it was ready:\n${text}`));
    });
  });
  return { name: options.name, child, output: () => text, exited };
}

/** The pid a node printed in its ready line ("weft-cluster worker host:PID ready: …"). */
export function printedPid(output: string): number {
  const match = / worker [^\s]*:(\d+) ready: /.exec(output);
  if (!match) throw new Error(`no ready line with a pid in:\n${output}`);
  return Number(match[1]);
}

/** Whether a process with this pid is alive (signal 0 only checks). An exited process that nobody reaped yet (a zombie, on Linux) is not. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (name) state …"; the name may hold spaces, the state follows its ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/** Settles with `promise`, or rejects after `ms` saying what did not happen: a named failure instead of a test timeout. */
export async function within<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stops nodes that are still running (SIGKILL: a test's leftovers must not linger). */
export async function stopNodes(nodes: readonly NodeProcess[]): Promise<void> {
  await Promise.all(nodes.map(async (node) => {
    if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill("SIGTERM");
    const timer = setTimeout(() => node.child.kill("SIGKILL"), 5000);
    await node.exited;
    clearTimeout(timer);
  }));
}

/** What a test file's cases share: a scratch folder, the nodes they started, and clean-ups run after each case. */
export interface ProcessScope {
  /** A temporary folder for the file, removed after its last case. */
  readonly scratch: string;
  /** Nodes a case started: stopped after it. */
  nodes: NodeProcess[];
  /** Run after each case, last first; a failing one does not stop the others. */
  readonly cleanups: (() => unknown)[];
}

/** Registers the hooks of a {@link ProcessScope}: nothing a case started outlives it. */
export function processScope(name: string): ProcessScope {
  const scope = { scratch: "", nodes: [] as NodeProcess[], cleanups: [] as (() => unknown)[] };
  beforeAll(() => {
    scope.scratch = mkdtempSync(join(tmpdir(), `weft-${name}-`));
  });
  afterEach(async () => {
    for (const cleanup of scope.cleanups.splice(0).reverse()) await Promise.resolve().then(cleanup).catch(() => undefined);
    await stopNodes(scope.nodes);
    scope.nodes = [];
  });
  afterAll(() => rmSync(scope.scratch, { recursive: true, force: true }));
  return scope;
}

/** The error a promise rejected with (it must reject). */
export async function rejection(promise: PromiseLike<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection, but it resolved");
}

/**
 * Runs the CLI's worker as an operator would, serving the node tasks; resolves with its exit
 * code and output (stderr lines marked "[stderr]") when it exits. `cleanups` gets its kill.
 */
export function runCli(args: readonly string[], cleanups: (() => unknown)[]): { exited: Promise<{ code: number | null; output: string }> } {
  const [command, argv] = runtimeCommand("node", cli, ["worker", "--module", nodeTasks, ...args]);
  const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
  cleanups.push(() => void child.kill("SIGKILL"));
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += `[stderr] ${chunk}`));
  return { exited: new Promise((resolve) => child.on("exit", (code) => resolve({ code, output }))) };
}
