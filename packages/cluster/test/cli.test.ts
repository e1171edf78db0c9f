// The weft-cluster CLI as operators run it: through npx (which does not pass SIGTERM on), and
// with the Redis password from the environment or a file instead of the command line.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { eventually } from "@weft/conformance";
import { ClusterPool } from "../src/index.js";
import { PASSWORD_ENV, UsageError, parseWorkerArgs } from "../src/cli-args.js";
import { startRedisServer, type RedisServer } from "../src/testing/redis-server.js";
import { alive, cli, printedPid, startNode, stopNodes, within, type NodeProcess } from "./support/cluster.js";

type NodeTasks = typeof import("./fixtures/node-tasks.mjs");

let scratch: string;
let nodes: NodeProcess[] = [];
const cleanups: (() => Promise<unknown> | void)[] = [];

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "weft-cli-"));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  await stopNodes(nodes);
  nodes = [];
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Bounds: the node checks its parent once a second and then closes gracefully (a second or two);
// thirty seconds allows for a loaded machine, against "never", which is what npx gave before.
const BOUND_MS = 30_000;

describe("npx weft-cluster worker", () => {
  let redis: RedisServer;
  const npx = spawnSync("npx", ["--version"], { encoding: "utf8" }).status === 0;

  beforeAll(async () => {
    redis = await startRedisServer();
  });

  afterAll(async () => redis?.stop());

  test("SIGTERM to npx stops the node it started (npx does not pass the signal on; the node notices it was orphaned)", async (context) => {
    if (!npx) context.skip("npx is not on PATH");
    // A project that has @weft/cluster installed: npx finds weft-cluster in node_modules/.bin and
    // runs it under `sh -c`, with no network.
    const project = join(scratch, "project");
    mkdirSync(join(project, "node_modules", ".bin"), { recursive: true });
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "weft-npx-test", private: true }));
    symlinkSync(cli, join(project, "node_modules", ".bin", "weft-cluster"));
    const tasks = join(project, "tasks.mjs");
    writeFileSync(tasks, "export function nodeName() { return 'npx-node'; }\n");
    const queue = "weft-npx";
    const child = spawn("npx", ["--no", "weft-cluster", "worker", "--redis", redis.url, "--queue", queue, "--module", tasks, "--size", "1"], {
      cwd: project,
      env: { ...process.env, npm_config_offline: "true", npm_config_update_notifier: "false", npm_config_fund: "false" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const npxExited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
    cleanups.push(() => void child.kill("SIGKILL"));
    await eventually(() => / ready: /.test(output), `the node is ready (output: ${output})`, BOUND_MS);
    const nodePid = printedPid(output);
    cleanups.push(() => void (alive(nodePid) && process.kill(nodePid, "SIGKILL")));
    expect(nodePid).not.toBe(child.pid);
    await using pool = new ClusterPool<{ nodeName(): string }>({ redis: redis.url, module: "tasks", queue });
    expect(await pool.apply("nodeName", [])).toBe("npx-node");

    child.kill("SIGTERM");
    console.log(`npx exited with ${await within(npxExited, BOUND_MS, "npx exits")}`);
    await eventually(() => !alive(nodePid), `the node (pid ${nodePid}) exits after npx (output: ${output})`, BOUND_MS);
    expect(output).toMatch(/its parent process \d+ exited[\s\S]*stopped after 1 jobs/);
    await eventually(async () => (await pool.nodeCount()) === 0, "Redis sees the node gone", BOUND_MS);
  }, 90_000);
});

describe("the Redis password from the environment or a file", () => {
  const password = "s3cret with spaces";
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await startRedisServer({ password });
  });

  afterAll(async () => redis?.stop());

  const url = () => `redis://127.0.0.1:${redis.port}`;
  const client = (queue: string) => new ClusterPool<NodeTasks>({ redis: { host: "127.0.0.1", port: redis.port, password }, module: "node", queue });

  test(`${PASSWORD_ENV}: a node started without the password on its command line serves jobs`, async () => {
    nodes = [await startNode({ redis: url(), name: "env", queue: "weft-password-env", env: { [PASSWORD_ENV]: password } })];
    await using pool = client("weft-password-env");
    expect(await pool.apply("nodeName", [])).toBe("env");
    expect(nodes[0]!.child.spawnargs.join(" ")).not.toContain(password);
  });

  test("--password-file: the password is read from the file (its line end is not part of it)", async () => {
    const file = join(scratch, "redis-password");
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
    nodes = [await startNode({ redis: url(), name: "file", queue: "weft-password-file", args: ["--password-file", file] })];
    await using pool = client("weft-password-file");
    expect(await pool.apply("nodeName", [])).toBe("file");
  });

  test("which password wins, and what is refused", () => {
    const file = join(scratch, "other-password");
    writeFileSync(file, "from-file\n");
    const base = ["--module", "./tasks.js"];
    const target = (argv: string[], env: Record<string, string> = {}) => parseWorkerArgs([...base, ...argv], env).redis;
    expect(target(["--password-file", file], { [PASSWORD_ENV]: "from-env" })).toMatchObject({ password: "from-file" });
    expect(target(["--redis", "redis://:from-url@10.0.0.5:6379"], { [PASSWORD_ENV]: "from-env" })).toBe("redis://:from-url@10.0.0.5:6379");
    expect(target(["--redis", "rediss://10.0.0.5:6380"], { [PASSWORD_ENV]: "from-env" })).toMatchObject({ host: "10.0.0.5", port: 6380, password: "from-env", tls: {} });
    expect(target([], {})).toBe("redis://127.0.0.1:6379");
    expect(() => target(["--redis", "redis://:x@h:1", "--password-file", file])).toThrow(/either in the --redis URL or with --password-file, not both/);
    writeFileSync(join(scratch, "empty"), "\n");
    expect(() => target(["--password-file", join(scratch, "empty")])).toThrow(UsageError);
    expect(() => target(["--password-file", join(scratch, "missing")])).toThrow(/cannot be read/);
    writeFileSync(join(scratch, "two-lines"), "a\nb\n");
    expect(() => target(["--password-file", join(scratch, "two-lines")])).toThrow(/more than one line/);
    expect(() => target(["--redis", "http://h"])).toThrow(/--redis: .*redis:\/\//);
    expect(parseWorkerArgs([...base, "--connect-timeout", "2500"]).connectTimeout).toBe(2500);
    expect(() => parseWorkerArgs([...base, "--connect-timeout", "soon"])).toThrow(/--connect-timeout takes a positive integer/);
  });
});
