// Profiling aid for the cluster bench: one redis-server, one node (the CLI) of N, a ClusterPool
// submitting no-op jobs at once and one at a time. Usage: node cluster-profile.mjs [N] [jobs]
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ClusterPool } from "@weft/cluster";
import { startRedisServer } from "@weft/cluster/testing";

const [size = "2", jobs = "5000", nodeFlags = ""] = process.argv.slice(2);
const TASKS = fileURLToPath(new URL("./tasks.mjs", import.meta.url));
const CLI = fileURLToPath(new URL("../../../packages/cluster/dist/cli.js", import.meta.url));
const redis = await startRedisServer({ fsync: "everysec" });
const node = spawn(process.execPath, [...nodeFlags.split(" ").filter(Boolean), CLI, "worker", "--redis", redis.url, "--queue", "prof", "--module", TASKS, "--size", size], { stdio: ["ignore", "pipe", "inherit"] });
await new Promise((resolve) => node.stdout.on("data", (chunk) => /ready/.test(chunk) && resolve()));
const pool = new ClusterPool({ redis: redis.url, module: "tasks", queue: "prof", size: Number(size) });
await Promise.all(Array.from({ length: 200 }, (_, i) => pool.apply("echo", [i])));
for (let round = 0; round < 3; round++) {
  let start = performance.now();
  await Promise.all(Array.from({ length: Number(jobs) }, (_, i) => pool.apply("echo", [i])));
  const rate = Number(jobs) / ((performance.now() - start) / 1000);
  const times = [];
  for (let i = 0; i < 300; i++) {
    start = performance.now();
    await pool.apply("echo", [i]);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(`round ${round}: ${rate.toFixed(0)} tasks/s, p50 ${(times[150] * 1000).toFixed(0)} µs`);
}
const { Redis } = await import("ioredis");
const raw = new Redis(redis.url);
console.log((await raw.info("commandstats")).split("\n").filter((l) => /calls=\d{3,}/.test(l)).join("\n"));
raw.disconnect();
await pool.close();
node.kill("SIGTERM");
await new Promise((resolve) => node.once("exit", resolve));
await redis.stop();
