// multiprocessing.Manager on the manager's own side, and through the real channel host as a
// worker reaches it (ChannelHost with a transport that copies each reply): semantics, copies,
// nesting, ownership, shutdown, and a worker that ends while it waits.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ChannelHost } from "../src/channels/host.js";
import type { ChannelReplyOp } from "../src/channels/messages.js";
import { Manager, ListProxy } from "../src/manager/index.js";
import { pack, unpack, type Packed } from "../src/manager/wire.js";
import { SHARED_HANDLE } from "../src/shared-handle.js";
import { channelKey, type ChannelAddress } from "../src/channels/registry.js";

/** A worker's calls as its host receives them: each reply is copied, as a transport does. */
function fakeWorker() {
  const replies = new Map<number, ChannelReplyOp>();
  const waiters = new Map<number, (op: ChannelReplyOp) => void>();
  const host = new ChannelHost((reply) => {
    for (const op of structuredClone(reply).ops) {
      if (!("request" in op)) continue;
      replies.set(op.request, op);
      waiters.get(op.request)?.(op);
    }
  }, "process");
  let next = 1;
  return {
    host,
    /** Calls `method` on the object behind `proxy`; resolves the reply op. */
    call(proxy: object, method: string, args: unknown[]): { request: number; reply: Promise<ChannelReplyOp> } {
      const { state } = (proxy as { [SHARED_HANDLE](): { state: { manager: ChannelAddress; object: number; token: string } } })[SHARED_HANDLE]();
      const request = next++;
      const reply = new Promise<ChannelReplyOp>((resolve) => waiters.set(request, resolve));
      const payload = structuredClone({ object: state.object, token: state.token, method, args: pack(args, "process", "args", false) });
      host.handle({ ops: [{ op: "call", channel: channelKey(state.manager), request, payload }] });
      return { request, reply };
    },
    cancel(request: number) {
      host.handle({ ops: [{ op: "cancel", request }] });
    },
  };
}

const valueOf = (op: ChannelReplyOp) => {
  if (op.op !== "done") throw new Error(`expected done, got ${JSON.stringify(op)}`);
  return unpack(op.value as Packed);
};

describe("Manager on its own side", () => {
  it("gives Python's dict semantics, with copies in and out", async () => {
    await using manager = new Manager();
    const d = manager.dict<string, unknown>([["a", 1]]);
    const item = { list: [1, 2] };
    await d.set("item", item);
    item.list.push(3);
    expect(await d.get("item")).toEqual({ list: [1, 2] });
    const read = (await d.get("item")) as { list: number[] };
    read.list.push(9);
    expect(await d.get("item")).toEqual({ list: [1, 2] });
    await d.update({ b: 2, c: 3 });
    expect(await d.popitem()).toEqual(["c", 3]);
    expect(await d.pop("b")).toBe(2);
    expect(await d.pop("b", "gone")).toBe("gone");
    expect(await d.delete("a")).toBe(true);
    expect(await d.delete("a")).toBe(false);
    const keys: string[] = [];
    for await (const key of d) keys.push(key);
    expect(keys).toEqual(["item"]);
    expect(await d.copy()).toEqual(new Map([["item", { list: [1, 2] }]]));
    await d.clear();
    expect(await d.len()).toBe(0);
    expect(await d.popitem()).toBeUndefined();
  });

  it("gives Python's list semantics: negative indices, clamped inserts, equality by content", async () => {
    await using manager = new Manager();
    const l = manager.list<unknown>([3, 1, 2]);
    await l.insert(-100, 0);
    await l.insert(100, 9);
    expect(await l.toArray()).toEqual([0, 3, 1, 2, 9]);
    expect(await l.slice(1, -1)).toEqual([3, 1, 2]);
    await l.append({ a: [1] });
    expect(await l.includes({ a: [1] })).toBe(true);
    expect(await l.index({ a: [1] })).toBe(5);
    await l.remove({ a: [1] });
    expect(await l.count(3)).toBe(1);
    await l.sort();
    expect(await l.toArray()).toEqual([0, 1, 2, 3, 9]);
    await l.reverse();
    expect(await l.pop(0)).toBe(9);
    await l.delete(-1);
    expect(await l.toArray()).toEqual([3, 2, 1]);
    await expect(l.set(3, 0)).rejects.toMatchObject({ name: "InvalidArgumentError" });
    const empty = manager.list();
    await expect(empty.pop()).rejects.toMatchObject({ name: "InvalidArgumentError", message: expect.stringMatching(/empty/) });
  });

  it("nests proxies: a list proxy stored in a dict comes back as a proxy of the same list", async () => {
    await using manager = new Manager();
    const d = manager.dict<string, unknown>();
    const inner = manager.list<number>();
    await d.set("inner", inner);
    const back = (await d.get("inner")) as ListProxy<number>;
    expect(back).toBeInstanceOf(ListProxy);
    expect(back.sameReferent(inner)).toBe(true);
    await back.append(1);
    expect(await inner.toArray()).toEqual([1]);
  });

  it("fails waiting and later calls with ManagerClosedError once shut down", async () => {
    const manager = new Manager();
    const lock = manager.Lock();
    const queue = manager.Queue();
    await lock.acquire();
    const waiting = [lock.acquire(), queue.get(), queue.join()];
    await queue.put(1);
    const joining = queue.join();
    await manager.shutdown();
    for (const call of [...waiting.slice(0, 1), joining]) await expect(call).rejects.toMatchObject({ name: "ManagerClosedError" });
    await Promise.allSettled(waiting);
    await expect(lock.release()).rejects.toMatchObject({ name: "ManagerClosedError" });
    expect(() => manager.Lock()).toThrow(expect.objectContaining({ name: "ManagerClosedError" }));
  });

  it("a dict proxy matches a local Map for any sequence of operations (fast-check)", async () => {
    const op = fc.oneof(
      fc.tuple(fc.constant("set" as const), fc.constantFrom("a", "b", "c", 1, 2), fc.integer()),
      fc.tuple(fc.constant("delete" as const), fc.constantFrom("a", "b", "c", 1, 2)),
      fc.tuple(fc.constant("pop" as const), fc.constantFrom("a", "b", "c", 1, 2)),
      fc.tuple(fc.constant("setdefault" as const), fc.constantFrom("a", "b", "c", 1, 2), fc.integer()),
      fc.tuple(fc.constant("popitem" as const)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        await using manager = new Manager();
        const d = manager.dict<string | number, number>();
        const model = new Map<string | number, number>();
        for (const [name, key, value] of ops as [string, string | number, number][]) {
          let expected: unknown;
          let actual: unknown;
          if (name === "set") {
            model.set(key, value);
            actual = await d.set(key, value);
          } else if (name === "delete") {
            expected = model.delete(key);
            actual = await d.delete(key);
          } else if (name === "pop") {
            expected = model.get(key);
            model.delete(key);
            actual = await d.pop(key);
          } else if (name === "setdefault") {
            if (!model.has(key)) model.set(key, value);
            expected = model.get(key);
            actual = await d.setdefault(key, value);
          } else {
            const last = [...model].at(-1);
            if (last) model.delete(last[0]);
            expected = last;
            actual = await d.popitem();
          }
          expect(actual).toEqual(expected);
        }
        expect(await d.copy()).toEqual(model);
      }),
      { numRuns: 200 },
    );
  });
});

describe("Manager through a worker's channel host", () => {
  it("answers a worker's calls with encoded results, and an RLock knows which side owns it", async () => {
    await using manager = new Manager();
    const d = manager.dict<string, unknown>({ k: [1, 2] });
    const worker = fakeWorker();
    expect(valueOf(await worker.call(d, "get", ["k"]).reply)).toEqual([1, 2]);
    const rlock = manager.RLock();
    expect(await rlock.acquire()).toBe(true);
    const release = await worker.call(rlock, "release", []).reply;
    expect(release).toMatchObject({ op: "failed" });
    expect(await rlock.acquire()).toBe(true);
    await rlock.release();
    await rlock.release();
    expect(valueOf(await worker.call(rlock, "acquire", [true, null]).reply)).toBe(true);
    await expect(rlock.release()).rejects.toMatchObject({ name: "NotOwnerError" });
  });

  it("withdraws a waiting call when the worker cancels it or ends, so the lock is never handed to it", async () => {
    await using manager = new Manager();
    const lock = manager.Lock();
    await lock.acquire();
    const worker = fakeWorker();
    const cancelled = worker.call(lock, "acquire", [true, null]);
    worker.cancel(cancelled.request);
    expect(await cancelled.reply).toMatchObject({ op: "failed" });
    const dead = fakeWorker();
    void dead.call(lock, "acquire", [true, null]);
    dead.host.dispose();
    await lock.release();
    expect(await lock.locked()).toBe(false);
  });

  it("fails a worker's call with ManagerClosedError after shutdown", async () => {
    const manager = new Manager();
    const d = manager.dict();
    await manager.shutdown();
    const reply = await fakeWorker().call(d, "len", []).reply;
    expect(reply).toMatchObject({ op: "failed", error: expect.anything() });
    expect(JSON.stringify(reply)).toContain("ManagerClosedError");
  });
});
