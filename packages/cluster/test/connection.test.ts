// A Redis connection must survive whatever its socket reports, however often: an error nobody
// listens for would end the host process (ioredis listens for a socket's first error only).
import { once } from "node:events";
import { afterAll, beforeAll, expect, test } from "vitest";
import { connect, redisOptions, release } from "../src/connection.js";
import { startRedisServer, type RedisServer } from "../src/testing/redis-server.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => redis?.stop());

const targets = () => [
  { label: "a redis:// URL", options: redisOptions(redis.url) },
  { label: "ioredis options", options: redisOptions({ host: "127.0.0.1", port: Number(new URL(redis.url).port) }) },
];

test.each([0, 1])("a socket that reports errors twice, then again after a reconnect, neither crashes the process nor loses the connection (target %i)", async (which) => {
  const { options } = targets()[which]!;
  const connection = connect(options);
  try {
    await once(connection, "ready");
    for (let round = 0; round < 2; round++) {
      const stream = (connection as unknown as { stream: NodeJS.EventEmitter }).stream;
      // A second emit threw "Unhandled 'error' event" out of emit() before the guard.
      expect(() => {
        stream.emit("error", new Error(`first report ${round}`));
        stream.emit("error", new Error(`second report ${round}`));
        stream.emit("error", new Error(`third report ${round}`));
      }).not.toThrow();
      (stream as unknown as { destroy(): void }).destroy();
      await once(connection, "ready");
    }
    expect(await connection.ping()).toBe("PONG");
  } finally {
    await release(connection);
  }
});

test("options that bring their own Connector or sentinels keep them", () => {
  class Mine {}
  expect(redisOptions({ host: "h", Connector: Mine as never }).Connector).toBe(Mine);
  expect(redisOptions({ sentinels: [{ host: "s", port: 1 }], name: "m" }).Connector).toBeUndefined();
  expect(redisOptions("redis://127.0.0.1:1").Connector).toBe(redisOptions({ host: "x" }).Connector);
});
