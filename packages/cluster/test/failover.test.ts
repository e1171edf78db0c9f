// The failures that take a part of the cluster away: a node killed with SIGKILL mid-job, Redis
// restarted mid-run, a node asked to stop with SIGTERM. Real processes, real redis-server.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { eventually } from "@weft/conformance";
import { ClusterPool, JobStalledError } from "../src/index.js";
import { startRedisServer, type RedisServer } from "../src/testing/redis-server.js";
import { startNode, stopNodes, within, type NodeProcess } from "./support/cluster.js";

type NodeTasks = typeof import("./fixtures/node-tasks.mjs");

let redis: RedisServer;
let marks: string;
let nodes: NodeProcess[] = [];
let queueNumber = 0;

beforeAll(async () => {
  redis = await startRedisServer();
  marks = mkdtempSync(join(tmpdir(), "weft-failover-"));
});

afterEach(async () => {
  await stopNodes(nodes);
  nodes = [];
});

afterAll(async () => {
  await redis?.stop();
  rmSync(marks, { recursive: true, force: true });
});

const runs = () => (existsSync(join(marks, "runs.log")) ? readFileSync(join(marks, "runs.log"), "utf8") : "");
const linesOf = (id: string, what: "start" | "end") => runs().split("\n").filter((line) => line.startsWith(`${what} ${id} `));

/** Three nodes on a fresh queue (a short lock, so that a dead node's jobs come back within seconds). */
async function cluster(size = 1) {
  const queue = `weft-failover-${++queueNumber}`;
  nodes = await Promise.all(["a", "b", "c"].map((name) => startNode({ redis: redis.url, name, queue, size, lockDuration: 3000, stalledInterval: 1500 })));
  return new ClusterPool<NodeTasks>({ redis: redis.url, module: "node", queue });
}

test("a node killed with SIGKILL mid-job: the stalled-job check recovers the job, another node completes it, the caller's promise settles once", async () => {
  await using pool = await cluster();
  const settled: string[] = [];
  const completedEvents: string[] = [];
  const stalledEvents: string[] = [];
  pool.addEventListener("completed", (event) => completedEvents.push((event as CustomEvent).detail.id));
  pool.addEventListener("stalled", (event) => stalledEvents.push((event as CustomEvent).detail.id));
  const future = pool.submit("slowMark", [2500, marks, "sigkill"]);
  future.then((value) => settled.push(`fulfilled ${value.node}`), (error) => settled.push(`rejected ${error}`));
  await eventually(() => linesOf("sigkill", "start").length === 1, "the job started on a node", 15_000);
  const victimName = linesOf("sigkill", "start")[0]!.split(" ")[2]!;
  const victim = nodes.find((node) => node.name === victimName)!;
  victim.child.kill("SIGKILL");
  expect((await victim.exited).signal).toBe("SIGKILL");
  const result = await future;
  expect(result.node).not.toBe(victimName);
  // Wait past another lock period: a late second completion would show up here.
  await new Promise((resolve) => setTimeout(resolve, 4000));
  expect(settled).toEqual([`fulfilled ${result.node}`]);
  expect(completedEvents.length).toBe(1);
  expect(stalledEvents.length).toBe(1);
  // At-least-once: the job started twice (on the dead node and on its rescuer) and ended once.
  expect(linesOf("sigkill", "start").length).toBe(2);
  expect(linesOf("sigkill", "end")).toEqual([`end sigkill ${result.node}`]);
  console.log(`SIGKILL of node ${victimName} mid-job: job recovered and completed by node ${result.node}; promise settled once`);
}, 60_000);

test("Redis restarted mid-run (killed, append-only file replayed) loses no job", async () => {
  const pool = await cluster(2);
  const ids = Array.from({ length: 40 }, (_, i) => `restart-${i}`);
  const futures = ids.map((id) => pool.apply("slowMark", [100, marks, id]));
  await eventually(() => pool.stats.completed >= 5, "some jobs finished", 20_000);
  const before = pool.stats.completed;
  await redis.restart({ hard: true, downMs: 500 });
  const results = await Promise.all(futures);
  expect(results.map((r) => r.id)).toEqual(ids);
  for (const id of ids) expect(linesOf(id, "end").length).toBeGreaterThanOrEqual(1);
  console.log(`Redis killed and restarted after ${before}/40 jobs: all 40 completed (${pool.stats.stalled} reported stalled)`);
  await pool.close();
}, 90_000);

test("SIGTERM: a node finishes its running job, takes no new one, and exits 0", async () => {
  await using pool = await cluster();
  const first = pool.submit("slowMark", [1500, marks, "graceful"]);
  await eventually(() => linesOf("graceful", "start").length === 1, "the job started", 15_000);
  const runner = nodes.find((node) => node.name === linesOf("graceful", "start")[0]!.split(" ")[2])!;
  runner.child.kill("SIGTERM");
  // Jobs submitted during the shutdown go to the other nodes.
  const later = await Promise.all(Array.from({ length: 4 }, (_, i) => pool.apply("slowMark", [50, marks, `during-shutdown-${i}`])));
  const result = await first;
  expect(result.node).toBe(runner.name);
  expect(linesOf("graceful", "start").length).toBe(1);
  expect(later.every((r) => r.node !== runner.name)).toBe(true);
  const exit = await runner.exited;
  expect(exit.code).toBe(0);
  expect(runner.output()).toMatch(/SIGTERM, finishing running jobs[\s\S]*stopped after 1 jobs/);
}, 60_000);

test("a job whose node dies under it twice fails with JobStalledError, with the caller's stack, and does not run a third time", async () => {
  const queue = `weft-failover-${++queueNumber}`;
  const start = (name: string) => startNode({ redis: redis.url, name, queue, size: 1, lockDuration: 3000, stalledInterval: 1500 });
  const killNode = async (node: NodeProcess) => {
    node.child.kill("SIGKILL");
    await node.exited;
  };
  nodes = [await start("first")];
  await using pool = new ClusterPool<NodeTasks>({ redis: redis.url, module: "node", queue });
  const outcome = pool.apply("slowMark", [60_000, marks, "stalled-twice"]).then(() => "resolved", (error: unknown) => error);
  await eventually(() => linesOf("stalled-twice", "start").length === 1, "the job started on the first node", 15_000);
  await killNode(nodes[0]!);
  // The second node's stalled-job check finds the job (once stalled, allowed) and runs it again.
  nodes.push(await start("second"));
  await eventually(() => linesOf("stalled-twice", "start").length === 2, "the job started again on the second node", 30_000);
  await killNode(nodes[1]!);
  // Stalled a second time: BullMQ fails it instead of running it a third time.
  nodes.push(await start("third"));
  // Bound: two lock periods and stalled checks (under ten seconds); sixty allow for a loaded machine.
  const error = await within(outcome, 60_000, "the job settles after its second stall");
  expect(error).toBeInstanceOf(JobStalledError);
  expect(error).toMatchObject({ name: "JobStalledError" });
  expect((error as JobStalledError).message).toMatch(/lost by the node running it more than once[\s\S]*job stalled more than allowable limit/);
  expect((error as Error).stack).toMatch(/awaited in the caller[\s\S]*failover\.test\.ts/);
  expect(linesOf("stalled-twice", "start").map((line) => line.split(" ")[2])).toEqual(["first", "second"]);
  expect(pool.stats.stalled).toBeGreaterThanOrEqual(1);
}, 120_000);
