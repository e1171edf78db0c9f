// multiprocessing.Queue's protocol: the real owner side (Queue, ChannelHost) and the real worker
// side (installChannelClient, the proxy a worker gets), joined in this thread by a transport that
// copies every message (structured clone) and delivers it in order on a later turn, as a worker's
// port does. "Dying" stops the transport both ways and disposes the host, as a worker's exit does.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ChannelHost } from "../src/channels/host.js";
import { flushChannels, installChannelClient } from "../src/channels/client.js";
import { JoinableQueue, Queue, WorkerQueue, type QueueState } from "../src/channels/queue.js";
import { SHARED_HANDLE, reviveShared } from "../src/shared-handle.js";

interface FakeWorker {
  readonly messages: number;
  /** The most items one message carried. */
  readonly largestBatch: number;
  proxy<T>(queue: Queue<T>): Queue<T>;
  die(): Promise<void>;
}

/** One worker's channel client, in this thread (a new one replaces the last: the client is per realm). */
function worker(batchSize?: number): FakeWorker {
  let alive = true;
  let messages = 0;
  let largestBatch = 0;
  const later = (deliver: () => void) => setImmediate(() => alive && deliver());
  const host = new ChannelHost((reply) => {
    if (!alive) throw new Error("the worker is gone");
    const copy = structuredClone(reply);
    later(() => onReply(copy));
  });
  const onReply = installChannelClient((request) => {
    if (!alive) throw new Error("the worker is gone");
    messages++;
    for (const op of request.ops) if (op.op === "items") largestBatch = Math.max(largestBatch, op.values.length);
    const copy = structuredClone(request);
    // What a worker sent before it died still arrives (its exit waits for its sends).
    setImmediate(() => host.handle(copy));
  }, "thread", batchSize);
  return {
    get messages() {
      return messages;
    },
    get largestBatch() {
      return largestBatch;
    },
    proxy<T>(queue: Queue<T>) {
      const { state } = queue[SHARED_HANDLE]();
      return new WorkerQueue<T>(state as QueueState);
    },
    die() {
      alive = false;
      // After what it sent, as a worker's exit event comes after its messages.
      return new Promise<void>((resolve) => setImmediate(() => resolve(host.dispose())));
    },
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

async function drain<T>(queue: Queue<T>): Promise<T[]> {
  await queue.close();
  const items: T[] = [];
  for await (const item of queue) items.push(item);
  return items;
}

describe("multiprocessing.Queue between a worker and its owner", () => {
  it("carries a worker's puts in batches, in order, without a round trip per put", async () => {
    const w = worker();
    const queue = new Queue<number>();
    const proxy = w.proxy(queue);
    for (const i of range(0, 5000)) await proxy.put(i);
    await proxy.joinThread();
    expect(await queue.qsize()).toBe(5000);
    expect(await drain(queue)).toEqual(range(0, 5000));
    expect(w.messages).toBeLessThan(100);
  });

  it("batches a worker's puts up to its port's channelBatch", async () => {
    for (const batchSize of [1, 100, 16384]) {
      const w = worker(batchSize);
      const queue = new Queue<number>();
      const proxy = w.proxy(queue);
      for (const i of range(0, 20_000)) await proxy.put(i);
      await proxy.joinThread();
      expect(await drain(queue)).toEqual(range(0, 20_000));
      expect(w.largestBatch).toBeLessThanOrEqual(batchSize);
      // Fewer messages with bigger batches (one put waits for the first credit).
      expect(w.messages).toBeLessThanOrEqual(Math.ceil(20_000 / batchSize) + 3);
    }
  });

  it("bounds a worker's puts by maxsize, credit in flight included", async () => {
    const w = worker();
    const queue = new Queue<number>(5);
    const proxy = w.proxy(queue);
    let put = 0;
    await expect((async () => {
      for (;;) {
        await proxy.put(put, { timeout: 30 });
        put++;
      }
    })()).rejects.toThrow(/timed out/);
    expect(put).toBe(5);
    expect(await queue.qsize()).toBe(5);
    expect(await queue.full()).toBe(true);
    expect(await proxy.full()).toBe(true);
  });

  it("gives back the items a worker fetched and never took when it dies, in their place", async () => {
    const w = worker();
    const queue = new Queue<number>();
    for (const i of range(0, 100)) await queue.put(i);
    const proxy = w.proxy(queue);
    const taken = await Promise.all(range(0, 8).map(() => proxy.get()));
    taken.push(await proxy.get());
    // Dies in the turn the items arrived, holding those it fetched and did not take; it tells
    // what it took on the way out, as a worker's exit does.
    flushChannels();
    await w.die();
    expect(taken).toEqual(range(0, 9));
    expect(await drain(queue)).toEqual(range(9, 100));
  });

  it("gives back an item handed to a worker that died before it arrived", async () => {
    const w = worker();
    const queue = new Queue<number>();
    await queue.put(1);
    void w.proxy(queue).get().catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve)); // the owner handed the item over
    await w.die();
    expect(await queue.get({ timeout: 1000 })).toBe(1);
  });

  it("gets back the items a worker holds untaken when the owner waits for one", async () => {
    const w = worker();
    const queue = new Queue<number>();
    for (const i of range(0, 20)) await queue.put(i);
    const proxy = w.proxy(queue);
    await Promise.all(range(0, 8).map(() => proxy.get()));
    await proxy.get();
    const rest: number[] = [];
    for (let i = 0; i < 11; i++) rest.push(await queue.get({ timeout: 1000 }));
    expect(rest.sort((a, b) => a - b)).toEqual(range(9, 20));
    await expect(queue.get({ timeout: 20 })).rejects.toMatchObject({ name: "TimeoutError" });
  });

  it("accepts puts already on their way when the owner closes, and refuses later ones", async () => {
    const w = worker();
    const queue = new Queue<number>();
    const proxy = w.proxy(queue);
    await proxy.put(0); // the first put asks for credit
    for (const i of range(1, 10)) await proxy.put(i); // these travel on credit, not yet arrived
    await queue.close();
    const items: number[] = [];
    for await (const item of queue) items.push(item);
    expect(items).toEqual(range(0, 10));
    await expect(proxy.put(10)).rejects.toMatchObject({ name: "QueueShutDown" });
  });

  it("lets a worker's get time out or be aborted without taking an item", async () => {
    const w = worker();
    const queue = new Queue<number>();
    const proxy = w.proxy(queue);
    await expect(proxy.get({ timeout: 20 })).rejects.toMatchObject({ name: "TimeoutError" });
    const controller = new AbortController();
    const aborted = proxy.get({ signal: controller.signal });
    controller.abort(new Error("stop"));
    await expect(aborted).rejects.toThrow("stop");
    await queue.put(5);
    expect(await queue.get({ timeout: 1000 })).toBe(5);
  });

  it("join() waits until every item was marked done with taskDone(), on either side (JoinableQueue)", async () => {
    const w = worker();
    const queue = new JoinableQueue<number>();
    const proxy = w.proxy(queue);
    for (const i of range(0, 3)) await queue.put(i);
    let joined = false;
    const joining = queue.join().then(() => (joined = true));
    const fromWorker = proxy.join({ timeout: 5000 });
    for (let i = 0; i < 3; i++) await proxy.get();
    proxy.taskDone();
    proxy.taskDone();
    await proxy.joinThread();
    expect(joined).toBe(false);
    await expect(proxy.join({ timeout: 20 })).rejects.toMatchObject({ name: "TimeoutError" });
    queue.taskDone();
    await joining;
    await fromWorker;
    expect(() => queue.taskDone()).toThrow(/too many times/);
    proxy.taskDone();
    await proxy.joinThread();
    await expect(queue.join()).rejects.toMatchObject({ name: "InvalidStateError" });
    await queue.join();
  });

  it("for await takes an item at hand at once, never ahead of a get that waits, on either side", async () => {
    const queue = new Queue<number>();
    const waiting = queue.get();
    const iterator = queue[Symbol.asyncIterator]();
    const next = iterator.next();
    for (const i of [1, 2, 3]) await queue.put(i);
    expect(await waiting).toBe(1);
    expect(await next).toEqual({ value: 2, done: false });
    expect(await iterator.next()).toEqual({ value: 3, done: false });

    const w = worker();
    const shared = new Queue<number>();
    for (const i of range(0, 2000)) await shared.put(i);
    await shared.close();
    const taken: number[] = [];
    for await (const item of w.proxy(shared)) taken.push(item);
    expect(taken).toEqual(range(0, 2000));
    // Fetched in batches that grow while the worker takes quickly, not one message per item.
    expect(w.messages).toBeLessThan(100);
  });

  it("takes Python's positional maxsize and refuses bad options, saying what was wrong", async () => {
    expect(new Queue(2).maxsize).toBe(2);
    expect(new Queue({ maxsize: 3 }).maxsize).toBe(3);
    expect(new Queue(Infinity).maxsize).toBe(0);
    expect(() => new Queue({ max: 2 } as never)).toThrow(/unknown option "max"/);
    expect(() => new Queue(-1)).toThrow(/integer ≥ 0/);
    expect(() => new Queue("2" as never)).toThrow(/maxsize as a number/);
    await expect(new Queue().put(1, { timeout: NaN })).rejects.toMatchObject({ name: "InvalidArgumentError" });
    const w = worker();
    await expect(w.proxy(new Queue()).get({ tiemout: 1 } as never)).rejects.toThrow(/unknown option "tiemout"/);
  });

  it("gives a worker a Queue over its owner's items: the same class, the same handle, length and closed only on the owner's side", async () => {
    const w = worker();
    const queue = new JoinableQueue<number>(4);
    const proxy = w.proxy(queue);
    expect(proxy).toBeInstanceOf(Queue);
    expect(proxy.maxsize).toBe(4);
    // Passed on from the worker, its handle names the same queue; back at the owner it is the queue itself.
    const { state } = queue[SHARED_HANDLE]();
    expect(proxy[SHARED_HANDLE]()).toEqual({ type: "weft.channel.Queue", state, crossesProcesses: true });
    expect(reviveShared(proxy[SHARED_HANDLE]())).toBe(queue);
    await proxy.put(1);
    await proxy.joinThread();
    expect(queue.length).toBe(1);
    expect(queue.closed).toBe(false);
    expect(() => proxy.length).toThrow(expect.objectContaining({ name: "InvalidStateError", message: expect.stringMatching(/qsize/) }));
    expect(() => proxy.closed).toThrow(expect.objectContaining({ name: "InvalidStateError" }));
    expect(await proxy.qsize()).toBe(1);
    await proxy.close();
    expect(queue.closed).toBe(true);
  });

  it("refuses a worker's queue used outside a weft worker, each operation with InvalidStateError", async () => {
    const outside = new WorkerQueue<number>({ id: "1", token: "t", maxsize: 0 });
    delete (globalThis as Record<symbol, unknown>)[Symbol.for("weft.channelClient")];
    for (const operation of [outside.put(1), outside.get(), outside.qsize(), outside.empty(), outside.close(), outside.joinThread(), outside.join()]) {
      await expect(operation).rejects.toMatchObject({ name: "InvalidStateError" });
    }
    expect(() => outside.taskDone()).toThrow(expect.objectContaining({ name: "InvalidStateError" }));
    await expect(outside[Symbol.asyncIterator]().next()).rejects.toMatchObject({ name: "InvalidStateError" });
  });

  it("delivers every item exactly once, each producer's in order, whatever the mix (generated)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          maxsize: fc.constantFrom(0, 1, 3, 16),
          fromWorker: fc.integer({ min: 0, max: 60 }),
          fromOwner: fc.integer({ min: 0, max: 60 }),
          workerTakes: fc.integer({ min: 0, max: 40 }),
          burst: fc.integer({ min: 1, max: 8 }),
          dies: fc.boolean(),
        }),
        async ({ maxsize, fromWorker, fromOwner, workerTakes, burst, dies }) => {
          const w = worker();
          const queue = new Queue<[string, number]>(maxsize);
          const proxy = w.proxy(queue);
          const producing = Promise.all([
            (async () => {
              for (const i of range(0, fromWorker)) await proxy.put(["w", i]);
              await proxy.joinThread();
            })(),
            (async () => {
              for (const i of range(0, fromOwner)) await queue.put(["o", i]);
            })(),
          ]);
          const total = fromWorker + fromOwner;
          const byWorker: [string, number][] = [];
          const owner: [string, number][] = [];
          const done = () => byWorker.length + owner.length >= total;
          // The owner consumes too (or bounded producers could wait forever), the worker in bursts.
          const ownerTakes = (async () => {
            while (!done()) await queue.get({ timeout: 5 }).then((item) => owner.push(item), () => undefined);
          })();
          while (byWorker.length < workerTakes && !done()) {
            const got = await Promise.allSettled(range(0, burst).map(() => proxy.get({ timeout: 20 })));
            for (const result of got) if (result.status === "fulfilled") byWorker.push(result.value);
          }
          await proxy.joinThread();
          await producing;
          if (dies) await w.die();
          await ownerTakes;
          const all = [...byWorker, ...owner];
          expect(all.length).toBe(total);
          for (const [tag, count] of [["w", fromWorker], ["o", fromOwner]] as const) {
            expect(all.filter(([t]) => t === tag).map(([, i]) => i).sort((a, b) => a - b)).toEqual(range(0, count));
            // One consumer sees each producer's items in order. With two, an item one of them
            // fetched and gave back may reach the other after later items (documented).
            for (const seen of workerTakes === 0 ? [owner] : [byWorker]) {
              const order = seen.filter(([t]) => t === tag).map(([, i]) => i);
              expect(order).toEqual([...order].sort((a, b) => a - b));
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});
