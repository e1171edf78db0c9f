/**
 * Process transport: Bun.spawn with `ipc` (what the adapter ships) against node:child_process.fork,
 * both in "advanced" serialization and both running the adapter's own process entry, through a
 * real Pool of one worker. Run with `npm run bench:transport` in packages/bun (after `npm run build`; BENCH_ROUNDS sets the runs).
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Pool, adapter as spawnAdapter, type Adapter } from "@weft/bun";
import { type Endpoint, type ExitInfo } from "@weft/core/adapter";
import { decodeMessage, encodeMessage } from "../src/wire.js";

const ENTRY = fileURLToPath(new URL("../dist/process-entry.js", import.meta.url));
const FIXTURES = new URL("../../conformance/dist/fixtures/tasks.js", import.meta.url).href;
const TASKS = 20_000;
const ROUND_TRIPS = 2_000;

function startForked(): Endpoint {
  const child = fork(ENTRY, [], { serialization: "advanced", stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let exitInfo: ExitInfo | undefined;
  let exitHandler: ((info: ExitInfo) => void) | undefined;
  const exited = new Promise<void>((resolve) =>
    child.on("exit", (code, signal) => {
      exitInfo = { code, signal };
      exitHandler?.(exitInfo);
      resolve();
    }),
  );
  return {
    pid: child.pid,
    // The entry speaks the adapter's wire (wire.ts): frames of pre-serialized bytes.
    send: (message) => void child.send(encodeMessage(message) as never),
    onMessage: (handler) => void child.on("message", (message) => handler(decodeMessage(message) as never)),
    onExit: (handler) => {
      exitHandler = handler;
      if (exitInfo) handler(exitInfo);
    },
    terminate: async () => {
      if (!exitInfo) child.kill("SIGTERM");
      await exited;
    },
  };
}

const forkAdapter: Adapter = { ...spawnAdapter, start: (kind, options) => (kind === "process" ? startForked() : spawnAdapter.start(kind, options)) };

async function measure(adapter: Adapter) {
  let started = performance.now();
  const pool = new Pool({ adapter, kind: "process", size: 1, module: FIXTURES });
  await pool.apply("echo", [0]);
  const firstTaskMs = performance.now() - started;
  for (let i = 0; i < 200; i++) await pool.apply("echo", [i]); // warm up
  started = performance.now();
  for (let i = 0; i < ROUND_TRIPS; i++) await pool.apply("echo", [i]);
  const roundTripUs = ((performance.now() - started) / ROUND_TRIPS) * 1000;
  started = performance.now();
  await Promise.all(Array.from({ length: TASKS }, (_, i) => pool.apply("echo", [i])));
  const tasksPerSecond = TASKS / ((performance.now() - started) / 1000);
  const value = { when: new Date(), map: new Map([[1, new Set([2n])]]), bytes: new Float64Array([Number.NaN, -0]), error: new RangeError("x", { cause: "y" }) };
  started = performance.now();
  for (let i = 0; i < 500; i++) await pool.apply("echo", [value]);
  const richRoundTripUs = ((performance.now() - started) / 500) * 1000;
  await pool.close();
  return { firstTaskMs, roundTripUs, tasksPerSecond, richRoundTripUs };
}

const rows: Record<string, { firstTaskMs: number; roundTripUs: number; tasksPerSecond: number; richRoundTripUs: number }[]> = { "Bun.spawn ipc": [], "child_process.fork": [] };
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
for (let round = 0; round < ROUNDS; round++) {
  rows["Bun.spawn ipc"]!.push(await measure(spawnAdapter));
  rows["child_process.fork"]!.push(await measure(forkAdapter));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (const [name, runs] of Object.entries(rows)) {
  console.log(
    `${name.padEnd(20)} first task ${median(runs.map((r) => r.firstTaskMs)).toFixed(1)} ms · round trip ${median(runs.map((r) => r.roundTripUs)).toFixed(0)} µs · ` +
      `rich-value round trip ${median(runs.map((r) => r.richRoundTripUs)).toFixed(0)} µs · ${TASKS} tiny tasks ${Math.round(median(runs.map((r) => r.tasksPerSecond)))} tasks/s (median of ${runs.length})`,
  );
}
