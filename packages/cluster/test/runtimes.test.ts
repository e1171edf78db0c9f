// Client and worker nodes on Node, Bun and Deno (BullMQ and ioredis under Bun's and Deno's Node
// compatibility), and one queue served by a node of each runtime at once.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startRedisServer, type RedisServer } from "../src/testing/redis-server.js";
import { packageDir, runtimeCommand, startNode, stopNodes, type NodeProcess, type Runtime } from "./support/cluster.js";

let redis: RedisServer;
const started: NodeProcess[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await stopNodes(started);
  await redis?.stop();
});

/** Runs the client program on `runtime` and returns its report. */
function runClient(runtime: Runtime, queue: string): Promise<Record<string, unknown>> {
  const [command, args] = runtimeCommand(runtime, join(packageDir, "test/clients/client.mjs"), [redis.url, queue]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (out += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith("REPORT "));
      if (!line) reject(new Error(`the ${runtime} client printed no report (exit ${code ?? signal}):\n${out}`));
      else resolve(JSON.parse(line.slice("REPORT ".length)));
    });
  });
}

const expected = (nodes: string[]) => ({
  add: 42,
  map: [2, 4, 6, 8, 10, 12],
  value: [true, "bigint", true],
  error: "Error: outer failure / RangeError",
  inline: "InlineTaskError",
  timeout: "TimeoutError",
  nodes,
});

describe.each(["node", "bun", "deno"] as const)("on %s", (runtime) => {
  test(`a ${runtime} client and two ${runtime} worker nodes (process kind)`, async () => {
    const queue = `weft-runtime-${runtime}`;
    const nodes = await Promise.all([1, 2].map((i) => startNode({ redis: redis.url, name: `${runtime}-${i}`, runtime, queue, kind: "process", size: 1 })));
    started.push(...nodes);
    const report = await runClient(runtime, queue);
    expect(report).toEqual(expected([`${runtime}-1`, `${runtime}-2`]));
    await stopNodes(nodes);
  }, 120_000);
});

test("one queue served by a Node, a Bun and a Deno node at once", async () => {
  const queue = "weft-runtime-mixed";
  const nodes = await Promise.all((["node", "bun", "deno"] as const).map((runtime) => startNode({ redis: redis.url, name: runtime, runtime, queue, size: 1 })));
  started.push(...nodes);
  const report = await runClient("node", queue);
  expect(report).toEqual(expected(["bun", "deno", "node"]));
}, 120_000);
