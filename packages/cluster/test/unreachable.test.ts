// Redis that cannot be reached (nothing listening, an untrusted TLS certificate, killed
// mid-run): clients and nodes must say so with RedisUnavailableError within their connect
// timeout, and let the process go; a node asked to stop must stop within its grace.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { eventually } from "@weft/conformance";
import { ClusterPool, RedisUnavailableError } from "../src/index.js";
import { freePort as closedPort, startRedisServer, type RedisServer } from "../src/testing/redis-server.js";
import { packageDir, rejection, runCli, startNode, stopNodes, within, type NodeProcess } from "./support/cluster.js";

type NodeTasks = typeof import("./fixtures/node-tasks.mjs");

let scratch: string;
let nodes: NodeProcess[] = [];
const cleanups: (() => unknown)[] = [];

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "weft-unreachable-"));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve().then(cleanup).catch(() => undefined);
  await stopNodes(nodes);
  nodes = [];
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Bounds: the connect timeouts here are 1–2 s; each bound allows ten times that or more, for a
// loaded machine, and "never", what these cases did before, fails them all the same.
const BOUND_MS = 30_000;

describe("nothing listens where Redis should be", () => {
  test("ready() and apply() reject with RedisUnavailableError after connectTimeout, with the refusal as cause; terminate() returns", async () => {
    const port = await closedPort();
    const pool = new ClusterPool<NodeTasks>({ redis: `redis://127.0.0.1:${port}`, module: "node", connectTimeout: 1000 });
    const task = pool.apply("nodeName", []);
    const ready = await within(rejection(pool.ready()), BOUND_MS, "ready() rejects");
    expect(ready).toBeInstanceOf(RedisUnavailableError);
    expect(ready.message).toContain(`could not reach Redis at redis://127.0.0.1:${port} within 1000 ms`);
    expect(ready.waitedMs).toBe(1000);
    expect(String(ready.cause?.message ?? ready.cause)).toMatch(/ECONNREFUSED/);
    const failed = await within(rejection(task), BOUND_MS, "the task submitted before rejects");
    expect(failed).toBeInstanceOf(RedisUnavailableError);
    expect(failed.stack).toMatch(/awaited in the caller[\s\S]*unreachable\.test\.ts/);
    // After the failed start, the pool refuses at once rather than waiting again.
    await expect(pool.apply("nodeName", [])).rejects.toBeInstanceOf(RedisUnavailableError);
    await within(pool.terminate(), BOUND_MS, "terminate() returns");
    await within(pool.close(), BOUND_MS, "close() returns");
  });

  test("a program whose pool cannot reach Redis ends by itself: nothing keeps the process alive", async () => {
    const port = await closedPort();
    // No process.exit: the program must end because nothing is left to wait for.
    const program = `
      import { ClusterPool } from ${JSON.stringify(join(packageDir, "dist/index.js"))};
      const pool = new ClusterPool({ redis: "redis://127.0.0.1:${port}", module: "node", connectTimeout: 1000 });
      const outcome = await pool.apply("nodeName", []).then(() => "resolved", (e) => e.name);
      await pool.terminate();
      console.log("OUTCOME " + outcome);`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", program], { stdio: ["ignore", "pipe", "pipe"] });
    cleanups.push(async () => child.kill("SIGKILL"));
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const code = await within(new Promise((resolve) => child.on("exit", resolve)), BOUND_MS, `the program exits by itself (output so far: ${output})`);
    expect(code).toBe(0);
    expect(output).toContain("OUTCOME RedisUnavailableError");
  });

  test("a node that cannot reach Redis says so on stderr and exits 1", async () => {
    const port = await closedPort();
    const { code, output } = await within(runCli(["--redis", `redis://127.0.0.1:${port}`, "--connect-timeout", "1500"], cleanups).exited, BOUND_MS, "the node exits");
    expect(code).toBe(1);
    expect(output).toMatch(new RegExp(`\\[stderr\\] weft-cluster: RedisUnavailableError: Worker node \\S+ could not reach Redis at redis://127\\.0\\.0\\.1:${port} within 1500 ms: .*ECONNREFUSED`));
  });
});

describe("Redis behind a TLS certificate the client does not trust", () => {
  let redis: RedisServer | undefined;
  let certFile = "";
  const openssl = spawnSync("openssl", ["version"]).status === 0;

  beforeAll(async () => {
    if (!openssl) return;
    certFile = join(scratch, "redis.crt");
    const keyFile = join(scratch, "redis.key");
    const made = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=weft-test", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", keyFile, "-out", certFile], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`openssl could not make a test certificate: ${made.stderr}`);
    redis = await startRedisServer({ tls: { certFile, keyFile } });
  });

  afterAll(async () => redis?.stop());

  test("the client rejects ready() with RedisUnavailableError whose cause is the certificate error; with the CA given it connects", async (context) => {
    if (!openssl) context.skip("openssl is not installed: no test certificate can be made");
    const untrusted = new ClusterPool<NodeTasks>({ redis: redis!.tlsUrl!, module: "node", connectTimeout: 2000 });
    const error = await within(rejection(untrusted.ready()), BOUND_MS, "ready() rejects");
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.message).toContain(`rediss://127.0.0.1:${new URL(redis!.tlsUrl!).port}`);
    expect(String(error.cause?.message)).toMatch(/self[- ]signed|certificate/i);
    await within(untrusted.terminate(), BOUND_MS, "terminate() returns");

    const trusted = new ClusterPool<NodeTasks>({ redis: { host: "127.0.0.1", port: Number(new URL(redis!.tlsUrl!).port), tls: { ca: readFileSync(certFile) } }, module: "node", connectTimeout: 10_000 });
    await within(trusted.ready(), BOUND_MS, "ready() with the CA");
    await trusted.close();
  });

  test("a node pointed at it says so on stderr and exits 1", async (context) => {
    if (!openssl) context.skip("openssl is not installed: no test certificate can be made");
    const { code, output } = await within(runCli(["--redis", redis!.tlsUrl!, "--connect-timeout", "2000"], cleanups).exited, BOUND_MS, "the node exits");
    expect(code).toBe(1);
    expect(output).toMatch(/\[stderr\] weft-cluster: RedisUnavailableError: .*(self[- ]signed|certificate)/i);
  });
});

describe("Redis killed mid-run", () => {
  let redis: RedisServer;
  let queueNumber = 0;

  beforeAll(async () => {
    redis = await startRedisServer();
  });

  afterAll(async () => redis?.stop());

  afterEach(async () => {
    // Each case leaves Redis down; the next one starts it again.
    await stopNodes(nodes);
    nodes = [];
    await redis.restart({ hard: true, downMs: 0 });
  });

  test("tasks waiting while Redis is down reject with RedisUnavailableError after connectTimeout; once Redis is back the pool works again", async () => {
    const queue = `weft-down-${++queueNumber}`;
    nodes = [await startNode({ redis: redis.url, name: "a", queue })];
    const pool = new ClusterPool<NodeTasks>({ redis: redis.url, module: "node", queue, connectTimeout: 2000 });
    cleanups.push(() => pool.terminate());
    expect(await pool.apply("nodeName", [])).toBe("a");
    const waiting = pool.apply("slowMark", [20_000, scratch, "down-waiting"]);
    await eventually(() => pool.stats.running === 1, "the task runs", 20_000);
    await redis.kill();
    const error = await within(rejection(waiting), BOUND_MS, "the waiting task rejects");
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.message).toMatch(/Redis has not answered this cluster client for \d+ ms \(connectTimeout 2000 ms\)/);
    await redis.restart({ hard: true, downMs: 0 });
    expect(await within(pool.apply("nodeName", []), BOUND_MS, "a task after Redis came back")).toBe("a");
    await within(pool.close(), BOUND_MS, "close");
  }, 120_000);

  test("SIGTERM to a node while Redis is down: it exits within its grace (plus a few seconds), not never", async () => {
    const queue = `weft-down-${++queueNumber}`;
    const grace = 3000;
    const node = await startNode({ redis: redis.url, name: "a", queue, grace });
    nodes = [node];
    const pool = new ClusterPool<NodeTasks>({ redis: redis.url, module: "node", queue, connectTimeout: 2000 });
    cleanups.push(() => pool.terminate());
    void pool.apply("slowMark", [60_000, scratch, "down-sigterm"]).catch(() => undefined);
    await eventually(() => pool.stats.running === 1, "the job runs on the node", 20_000);
    await redis.kill();
    // Long enough for the node's connections to be retrying, as after a real outage.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const stopping = performance.now();
    node.child.kill("SIGTERM");
    const exit = await within(node.exited, grace + BOUND_MS, "the node exits after SIGTERM with Redis down");
    console.log(`node exited ${((performance.now() - stopping) / 1000).toFixed(1)} s after SIGTERM with Redis down (grace ${grace / 1000} s), code ${exit.code}`);
    expect(exit.code).toBe(0);
    expect(node.output()).toMatch(/SIGTERM, finishing running jobs[\s\S]*stopped after/);
  }, 120_000);
});
