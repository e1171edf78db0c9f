// The size limit on what a job carries through Redis: arguments refused at submit, results
// refused on the node; both reject with PayloadTooLargeError. Real redis-server, a real worker
// node (the CLI, with --max-payload-bytes).
import { afterAll, beforeAll, expect, test } from "vitest";
import { Redis } from "ioredis";
import { ClusterPool, DEFAULT_MAX_PAYLOAD_BYTES, PayloadTooLargeError } from "../src/index.js";
import { startRedisServer, type RedisServer } from "../src/testing/redis-server.js";
import { startNode, stopNodes, type NodeProcess } from "./support/cluster.js";

type NodeTasks = typeof import("./fixtures/node-tasks.mjs");

const QUEUE = "weft-payload";
const NODE_LIMIT = 200_000;
let redis: RedisServer;
let node: NodeProcess;

beforeAll(async () => {
  redis = await startRedisServer();
  node = await startNode({ redis: redis.url, name: "payload", size: 1, queue: QUEUE, args: ["--max-payload-bytes", String(NODE_LIMIT)] });
});

afterAll(async () => {
  if (node) await stopNodes([node]);
  await redis?.stop();
});

const pool = (options: { maxPayloadBytes?: number } = {}) => new ClusterPool<NodeTasks>({ redis: redis.url, module: "node", queue: QUEUE, ...options });

test("the default limit is 16 MiB", () => {
  expect(DEFAULT_MAX_PAYLOAD_BYTES).toBe(16 * 1024 * 1024);
});

test("arguments over the client's maxPayloadBytes are refused at submit, naming the size, the limit and the option; nothing reaches Redis", async () => {
  await using client = pool({ maxPayloadBytes: 1000 });
  await client.ready();
  const raw = new Redis(redis.url);
  try {
    const before = await raw.dbsize();
    // ["<1000 x>", 1] encodes to more than 1000 bytes; multi-byte characters count as their UTF-8 bytes.
    const error = await client.apply("repeat", ["é".repeat(500), 1]).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    const payloadError = error as PayloadTooLargeError;
    expect(payloadError.kind).toBe("arguments");
    expect(payloadError.limit).toBe(1000);
    expect(payloadError.bytes).toBe(JSON.stringify(["é".repeat(500), 1]).length + 500);
    expect(payloadError.message).toContain("maxPayloadBytes");
    expect(payloadError.message).toContain(String(payloadError.bytes));
    expect(await raw.dbsize()).toBe(before);
    // Just under the limit still runs.
    await expect(client.apply("repeat", ["x", 10])).resolves.toBe("xxxxxxxxxx");
  } finally {
    raw.disconnect();
  }
});

test("a result over the node's maxPayloadBytes is refused on the node: the task rejects with PayloadTooLargeError", async () => {
  await using client = pool();
  const error = await client.apply("repeat", ["ab", NODE_LIMIT + 10]).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(PayloadTooLargeError);
  expect((error as PayloadTooLargeError).kind).toBe("result");
  expect((error as PayloadTooLargeError).limit).toBe(NODE_LIMIT);
  expect((error as PayloadTooLargeError).bytes).toBe(NODE_LIMIT + 12);
  // The node carries on.
  await expect(client.apply("repeat", ["ab", 4])).resolves.toBe("abab");
});

test("a result over the client's maxPayloadBytes is refused on the node too (the client's limit travels with the job)", async () => {
  await using client = pool({ maxPayloadBytes: 5000 });
  const error = await client.apply("repeat", ["a", 6000]).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(PayloadTooLargeError);
  expect((error as PayloadTooLargeError).kind).toBe("result");
  expect((error as PayloadTooLargeError).limit).toBe(5000);
});

test("maxPayloadBytes must be a positive integer or Infinity", () => {
  expect(() => pool({ maxPayloadBytes: 0 })).toThrow(/maxPayloadBytes must be a positive integer/);
  expect(() => pool({ maxPayloadBytes: 1.5 })).toThrow(/maxPayloadBytes must be a positive integer/);
});
