// Lists the Redis commands a worker node and a client send, for the ACL in the README: runs a
// node (the CLI) and a client, each as its own Redis user, through every kind of work (tasks,
// map, imap, errors, timeouts, cancelling queued and running jobs, a lost job, terminate, close,
// nodeCount, a node's SIGTERM, a node killed mid-job and its job recovered by another), while
// MONITOR records every command with the connection that sent it. A command run inside a script
// counts for the user whose EVALSHA ran it (Redis checks those against the ACL too).
// Usage:
//   node scripts/acl-commands.mjs          prints one line per user: the commands it sent,
//                                         ACL-ready; run it again after a BullMQ upgrade.
//   node scripts/acl-commands.mjs --node-rules="…" --client-rules="…"
//                                         runs the same work with each user held to those ACL
//                                         rules, and prints `ACL {json}`: what each step gave and
//                                         Redis's ACL LOG (every refused command). test/acl.test.ts
//                                         runs it with the README's rules.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { defaultFixtures } from "@weft/conformance";
import { ClusterPool } from "../dist/index.js";
import { startRedisServer } from "../dist/testing/redis-server.js";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const FIXTURES = fileURLToPath(defaultFixtures);
const NODE_TASKS = fileURLToPath(new URL("../test/fixtures/node-tasks.mjs", import.meta.url));
const QUEUE = "weft-acl";
const users = { node: "weft-node", client: "weft-client" };
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const redis = await startRedisServer();
const admin = new Redis(redis.url);
const rulesArg = (name) => process.argv.find((a) => a.startsWith(`--${name}-rules=`))?.slice(`--${name}-rules=`.length);
const rules = { node: rulesArg("node"), client: rulesArg("client") };
const restricted = rules.node !== undefined || rules.client !== undefined;
const words = (text) => (text ?? "~* &* +@all").split(/\s+/).filter(Boolean);
for (const [who, user] of Object.entries(users)) await admin.acl("SETUSER", user, "reset", "on", ">secret", ...words(rules[who]));
await admin.acl("LOG", "RESET");
const steps = {};
const outcome = (promise) => promise.then((value) => ({ value }), (error) => ({ error: error?.name ?? String(error) }));
const url = (user) => `redis://${user}:secret@127.0.0.1:${redis.port}`;

// Every connection's user, by address (CLIENT LIST), refreshed as connections come and go.
const userOf = new Map();
const refresh = async () => {
  for (const line of (await admin.client("LIST")).split("\n")) {
    const addr = /\baddr=(\S+)/.exec(line)?.[1];
    const user = /\buser=(\S+)/.exec(line)?.[1];
    if (addr && user) userOf.set(addr, user);
  }
};
const refresher = setInterval(() => void refresh(), 50);
const lines = [];
const monitor = await new Redis(redis.url).monitor();
monitor.on("monitor", (_time, args, source, database) => lines.push({ source, command: String(args[0]).toLowerCase(), sub: args[1] === undefined ? undefined : String(args[1]).toLowerCase(), database }));

function startNode(name) {
  const child = spawn(process.execPath, [CLI, "worker", "--redis", url(users.node), "--queue", QUEUE, "--module", `fixtures=${FIXTURES}`, "--module", `node=${NODE_TASKS}`, "--size", "2", "--lock-duration", "2000", "--stalled-interval", "1000"], { stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, WEFT_TEST_NODE: name } });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return new Promise((resolve) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (/ ready: /.test(out)) resolve({ child, exited });
    });
  });
}

const marks = mkdtempSync(join(tmpdir(), "weft-acl-"));
try {
  const a = await startNode("a");
  await refresh();
  const pool = new ClusterPool({ redis: url(users.client), module: "fixtures", queue: QUEUE, reconcileInterval: 500 });
  const nodePool = new ClusterPool({ redis: url(users.client), module: "node", queue: QUEUE, reconcileInterval: 500 });
  await pool.ready();
  await refresh();
  steps.apply = await outcome(pool.apply("add", [1, 2]));
  steps.map = await outcome(pool.map("double", [1, 2, 3, 4], { chunksize: 1 }));
  steps.imap = await outcome((async () => {
    const got = [];
    for await (const value of pool.imap("double", [1, 2, 3])) got.push(value);
    return got;
  })());
  steps.error = await outcome(pool.apply("fail", ["plain"]));
  steps.timeout = await outcome(pool.apply("sleepThen", [5000, 1], { timeout: 100 }));
  steps.nodeCount = await outcome(pool.nodeCount());
  // Cancel a running job and a queued one.
  const running = new AbortController();
  const slow = [pool.apply("waitForAbort", [], { signal: running.signal }), pool.apply("waitForAbort", [], { timeout: 3000 }), pool.apply("sleepThen", [100, 1])].map(outcome);
  const queued = new AbortController();
  const behind = outcome(pool.apply("sleepThen", [100, 1], { signal: queued.signal }));
  await pause(500);
  running.abort();
  queued.abort();
  [steps.cancelRunning, steps.cancelQueued] = await Promise.all([slow[0], behind]);
  // A job that vanishes: removed behind the client's back, found by the sweep.
  const lost = outcome(nodePool.apply("slowMark", [3000, marks, "lost"]));
  await pause(300);
  await admin.del(...(await admin.keys(`bull:${QUEUE}:w*-*`)).filter((key) => !key.includes(":weft:")));
  steps.lost = await Promise.race([lost, pause(10_000).then(() => ({ error: "still pending after 10 s" }))]);
  // A node killed mid-job: the stalled-job check of another node gives the job back.
  const b = await startNode("b");
  await refresh();
  const recovered = outcome(nodePool.apply("slowMark", [1500, marks, "recovered"]));
  await pause(300);
  a.child.kill("SIGKILL");
  steps.recovered = await recovered;
  // terminate() with jobs waiting, then a node's graceful stop.
  const terminated = new ClusterPool({ redis: url(users.client), module: "fixtures", queue: QUEUE });
  const doomed = Array.from({ length: 20 }, () => outcome(terminated.apply("sleepThen", [200, 1])));
  await pause(200);
  await terminated.terminate();
  steps.terminated = [...new Set((await Promise.all(doomed)).map((result) => result.error ?? "resolved"))];
  await Promise.all(slow);
  await pool.close();
  await nodePool.close();
  await pause(1500);
  b.child.kill("SIGTERM");
  steps.nodeExit = await b.exited;
} finally {
  clearInterval(refresher);
  monitor.disconnect();
  rmSync(marks, { recursive: true, force: true });
}
if (restricted) {
  const log = (await admin.acl("LOG")).map((entry) => {
    const fields = {};
    for (let i = 0; i + 1 < entry.length; i += 2) fields[entry[i]] = entry[i + 1];
    return { user: fields.username, reason: fields.reason, object: fields.object, context: fields.context };
  });
  console.log(`ACL ${JSON.stringify({ steps, refused: log })}`);
  admin.disconnect();
  await redis.stop();
  process.exit(0);
}
admin.disconnect();

// Attribute each command: a connection's own, or, inside a script ("lua"), the script's caller.
const commands = { [users.node]: new Set(), [users.client]: new Set() };
let caller;
for (const { source, command, sub } of lines) {
  const user = source === "lua" ? caller : userOf.get(source);
  if (source !== "lua") caller = user;
  if (!(user in commands)) continue;
  const name = ["client", "config", "object", "xinfo", "acl", "script", "memory", "function"].includes(command) && sub ? `${command}|${sub}` : command;
  if (name === "auth" || name === "monitor") continue;
  commands[user].add(name);
}
for (const [user, set] of Object.entries(commands)) console.log(`${user}: ${[...set].sort().map((name) => `+${name}`).join(" ")}`);
await redis.stop();
process.exit(0);
