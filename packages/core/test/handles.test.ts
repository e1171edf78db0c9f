// Unforgeable handles, at the owner's side: the real ChannelHost given requests as a worker's code
// could make them — through weft's client or as raw messages of its own — for keys, objects and
// tokens it was never handed. Every such request is answered "failed" with UnknownHandleError
// (none is left unanswered), and nothing is taken, put or read.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ChannelHost } from "../src/channels/host.js";
import type { ChannelOp, ChannelReplyOp } from "../src/channels/messages.js";
import { channelKey, keyId, newToken, type ChannelAddress } from "../src/channels/registry.js";
import { Queue, type QueueState } from "../src/channels/queue.js";
import { Manager } from "../src/manager/index.js";
import { pack } from "../src/manager/wire.js";
import { deserializeError } from "../src/codec/thrown.js";
import { UnknownHandleError } from "../src/errors.js";
import { SHARED_HANDLE } from "../src/shared-handle.js";

interface ProxyState {
  readonly manager: ChannelAddress;
  readonly object: number;
  readonly token: string;
}

const stateOf = <S>(handle: object): S => (handle as { [SHARED_HANDLE](): { state: S } })[SHARED_HANDLE]().state;

/** A host for one worker; `send` resolves the replies to the requests of one batch. */
function host() {
  const replies = new Map<number, ChannelReplyOp>();
  const host = new ChannelHost((reply) => {
    for (const op of structuredClone(reply).ops) if ("request" in op) replies.set(op.request, op);
  }, "process");
  let next = 1;
  return {
    async send(make: (request: number) => ChannelOp): Promise<ChannelReplyOp | undefined> {
      const request = next++;
      host.handle({ ops: [make(request)] });
      // Refusals are answered in the same turn as the batch, or the one after.
      await new Promise((resolve) => setTimeout(resolve, 0));
      return replies.get(request);
    },
  };
}

function expectRefused(reply: ChannelReplyOp | undefined, secrets: readonly string[]): void {
  expect(reply?.op, "every forged request is answered").toBe("failed");
  const error = deserializeError((reply as Extract<ChannelReplyOp, { op: "failed" }>).error);
  expect(error).toBeInstanceOf(UnknownHandleError);
  for (const secret of secrets) expect((error as Error).message).not.toContain(secret);
}

const hexToken = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""));
/** `token` with one hex digit changed. */
const nearMiss = (token: string) =>
  fc.tuple(fc.nat({ max: token.length - 1 }), fc.integer({ min: 1, max: 15 })).map(([at, by]) => token.slice(0, at) + ((parseInt(token[at]!, 16) + by) % 16).toString(16) + token.slice(at + 1));
const neighbour = (id: string) => fc.integer({ min: -5, max: 5 }).map((by) => id.replace(/\d+$/, (n) => String(Number(n) + by)));

describe("channel and manager handles carry a token the owner checks", () => {
  it("hands out 128-bit tokens, a new one for every channel and object", async () => {
    const tokens = Array.from({ length: 200 }, newToken);
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
    await using manager = new Manager();
    const [a, b] = [stateOf<ProxyState>(manager.dict()), stateOf<ProxyState>(manager.list())];
    expect(a.token).not.toBe(b.token);
    expect(stateOf<QueueState>(new Queue()).token).not.toBe(stateOf<QueueState>(new Queue()).token);
  });

  it("names a channel in an error by its id, never its token", () => {
    const address = { id: "abc:7", token: newToken() };
    expect(keyId(channelKey(address))).toBe("abc:7");
    expect(keyId(42)).not.toContain("42");
  });

  it("refuses random and near-miss Queue keys, and leaves the queue's items alone (generated)", async () => {
    const queue = new Queue<number>();
    const real = stateOf<QueueState>(queue);
    await queue.put(1);
    await queue.put(2);
    const worker = host();
    const id = fc.oneof(fc.constant(real.id), neighbour(real.id), fc.string());
    const token = fc.oneof(fc.constant(real.token), nearMiss(real.token), hexToken, fc.string());
    const forged = fc.record({ id, token }).filter((address) => !(address.id === real.id && address.token === real.token));
    const op = fc.constantFrom("get", "put", "size", "close", "join", "sync");
    await fc.assert(
      fc.asyncProperty(forged, op, async (address, kind) => {
        const channel = channelKey(address);
        const reply = await worker.send((request): ChannelOp => {
          if (kind === "get") return { op: "get", channel, request, want: 10, timeout: null };
          if (kind === "put") return { op: "put", channel, request, value: 99, timeout: null };
          if (kind === "join") return { op: "join", channel, request, timeout: null };
          return { op: kind, channel, request };
        });
        expectRefused(reply, [real.token]);
      }),
      { numRuns: 300 },
    );
    expect(queue.closed).toBe(false);
    expect([await queue.get(), await queue.get(), await queue.qsize()]).toEqual([1, 2, 0]);
  });

  it("refuses Manager calls with another manager's key, another object or a wrong token, and reads nothing (generated)", async () => {
    await using manager = new Manager();
    const secret = manager.dict<string, string>({ secret: "s" });
    const mine = stateOf<ProxyState>(manager.dict<string, string>({ mine: "m" }));
    const secretState = stateOf<ProxyState>(secret);
    const worker = host();
    const forged = fc
      .record({
        managerId: fc.oneof(fc.constant(mine.manager.id), neighbour(mine.manager.id), fc.string()),
        managerToken: fc.oneof(fc.constant(mine.manager.token), nearMiss(mine.manager.token), hexToken),
        object: fc.oneof(fc.constant(mine.object), fc.constant(secretState.object), fc.integer({ min: -3, max: 20 })),
        token: fc.oneof(fc.constant(mine.token), nearMiss(mine.token), nearMiss(secretState.token), hexToken, fc.string()),
      })
      .filter((f) => !(f.managerId === mine.manager.id && f.managerToken === mine.manager.token && f.object === mine.object && f.token === mine.token));
    await fc.assert(
      fc.asyncProperty(forged, fc.constantFrom("get", "set", "len", "clear"), async (f, method) => {
        const args = method === "set" ? ["secret", "forged"] : method === "get" ? ["secret"] : [];
        const payload = { object: f.object, token: f.token, method, args: pack(args, "process", "args", false) };
        const reply = await worker.send((request) => ({ op: "call", channel: channelKey({ id: f.managerId, token: f.managerToken }), request, payload }));
        expectRefused(reply, [secretState.token, mine.token, mine.manager.token]);
      }),
      { numRuns: 300 },
    );
    expect(await secret.copy()).toEqual(new Map([["secret", "s"]]));
  });

  it("refuses raw messages a worker's code could post itself: a key that is not a string, a call without a token", async () => {
    await using manager = new Manager();
    const d = stateOf<ProxyState>(manager.dict({ secret: "s" }));
    const worker = host();
    expectRefused(await worker.send((request) => ({ op: "size", channel: { toString: () => "x" } as never, request })), []);
    const noToken = { object: d.object, method: "len", args: pack([], "process", "args", false) };
    expectRefused(await worker.send((request) => ({ op: "call", channel: channelKey(d.manager), request, payload: noToken })), [d.token]);
    expectRefused(await worker.send((request) => ({ op: "call", channel: channelKey(d.manager), request, payload: null })), [d.token]);
  });
});
