import fc from "fast-check";
import { Pipe, Process, Thread, multiprocessing } from "@weft/core";
import { deepEqual, equal, ok, rejects, throws } from "../assert.js";
import type { CaseDefinition } from "../harness.js";
import { fixturePool, sleep } from "./util.js";

/** Reads what is left of a closed queue. */
async function drain<T>(queue: multiprocessing.Queue<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of queue) items.push(item);
  return items;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** What Pipe() takes, as Python's `Pipe(duplex=True)`: nothing, a boolean, or a plain `{ duplex }` whose duplex is a boolean or absent. */
function pipeAccepts(value: unknown): boolean {
  if (value === undefined || typeof value === "boolean") return true;
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const { duplex, ...rest } = value as { duplex?: unknown };
  return Object.keys(rest).length === 0 && (duplex === undefined || typeof duplex === "boolean");
}

/** Values of every shape, and option objects with a bad duplex or a key too many, that Pipe() must refuse. */
const notPipeArguments = fc
  .oneof(
    fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withNullPrototype: true, withBigInt: true, withDate: true, withTypedArray: true, maxDepth: 2 }),
    fc.record({ duplex: fc.anything({ maxDepth: 1 }) }),
    fc.record({ duplex: fc.boolean(), extra: fc.anything({ maxDepth: 0 }) }),
    fc.func(fc.boolean()),
  )
  .filter((value) => !pipeAccepts(value));

const ONE_WAY_SEND = /receiving end of a one-way Pipe\(false\) \(the first of the pair\).*cannot send/;
const ONE_WAY_RECV = /sending end of a one-way Pipe\(false\) \(the second of the pair\).*cannot receive/;

export const channelCases: CaseDefinition[] = [
  {
    name: "channels: a Queue carries items from a worker to the main side, in order, until closed",
    needs: ["local-channels"],
    async run(ctx) {
      const queue = new multiprocessing.Queue<number>({ maxsize: 3 });
      await using pool = fixturePool(ctx, { size: 1 });
      const producing = pool.apply("produce", [queue as never, 0, 20, true]);
      const received: number[] = [];
      for await (const item of queue) received.push(item);
      equal(await producing, 20);
      deepEqual(received, Array.from({ length: 20 }, (_, i) => i), "every item, in order");
    },
  },
  {
    name: "channels: many producers and a consumer share one bounded Queue",
    needs: ["local-channels"],
    async run(ctx) {
      const queue = new multiprocessing.Queue<number>({ maxsize: 2 });
      await using pool = fixturePool(ctx, { size: 3 });
      const consumer = pool.apply("consumeAll", [queue as never]);
      await Promise.all([pool.apply("produce", [queue as never, 0, 10, false]), pool.apply("produce", [queue as never, 100, 10, false])]);
      await queue.put(1000);
      await queue.close();
      const items = (await consumer) as number[];
      equal(items.length, 21, "every item arrived exactly once");
      deepEqual(items.filter((n) => n < 100), Array.from({ length: 10 }, (_, i) => i), "each producer's items stay in order");
      await rejects(queue.put(1), "QueueShutDown");
    },
  },
  {
    name: "channels: a Pipe is a duplex pair between the main side and a worker",
    needs: ["local-channels"],
    async run(ctx) {
      const [here, there] = Pipe<number>();
      const Kind = ctx.kind === "thread" ? Thread : Process;
      const worker = new Kind({ adapter: ctx.adapter, module: ctx.fixtures, target: "echoDoubled", args: [there, 5] }).start();
      const answers: number[] = [];
      for (let i = 1; i <= 5; i++) {
        await here.send(i);
        answers.push(await here.recv());
      }
      deepEqual(answers, [2, 4, 6, 8, 10], "each value came back doubled");
      equal(await worker.join(), 5);
      await rejects(here.recv(), "QueueShutDown");
    },
  },
  {
    name: "channels: Pipe() takes nothing, a boolean or { duplex: boolean }; anything else (generated) is refused with InvalidArgumentError saying what was given",
    async run() {
      for (const duplex of [undefined, true, false, { duplex: true }, { duplex: false }, {}]) {
        const ends = Pipe(duplex as never);
        equal(ends.length, 2, `Pipe(${JSON.stringify(duplex)}) gives two ends`);
      }
      throws(() => Pipe(null as never), "InvalidArgumentError", /Pipe\(\).*got null.*Pipe\(true\).*Pipe\(false\).*\{ duplex: true \| false \}/);
      throws(() => Pipe("false" as never), "InvalidArgumentError", /got the string "false"/);
      throws(() => Pipe(0 as never), "InvalidArgumentError", /got number 0/);
      throws(() => Pipe({ duplex: 1 } as never), "InvalidArgumentError", /duplex.*got number 1/);
      throws(() => Pipe({ duplex: true, maxsize: 2 } as never), "InvalidArgumentError", /got an unknown option "maxsize"; duplex is the only one/);
      throws(() => Pipe(new Boolean(false) as never), "InvalidArgumentError", /got an object/);
      const seed = Date.now() % 2 ** 31;
      for (const [index, value] of fc.sample(notPipeArguments, { numRuns: 300, seed }).entries()) {
        let outcome = "accepted";
        try {
          Pipe(value as never);
        } catch (error) {
          outcome = `${(error as Error).name}: ${(error as Error).message}`;
        }
        ok(/^InvalidArgumentError: Pipe\(\).*got /.test(outcome), `value ${index} (fast-check seed ${seed}): ${outcome}`);
      }
    },
  },
  {
    name: "channels: Pipe(false) is one-way — the first end only receives, the second only sends (InvalidStateError naming the end), on the main side and in a worker; Pipe(true) stays duplex",
    needs: ["local-channels"],
    async run(ctx) {
      const Kind = ctx.kind === "thread" ? Thread : Process;
      const start = (target: string, args: unknown[]) => new Kind({ adapter: ctx.adapter, module: ctx.fixtures, target, args }).start();
      for (const oneWay of [false, { duplex: false }] as const) {
        const [reader, writer] = Pipe<number>(oneWay);
        await rejects(reader.send(1 as never), "InvalidStateError", ONE_WAY_SEND);
        await rejects(writer.recv({ timeout: 1000 }), "InvalidStateError", ONE_WAY_RECV);
        await rejects(writer[Symbol.asyncIterator]().next(), "InvalidStateError", ONE_WAY_RECV);

        // The sending end in a worker, the receiving end here.
        const sending = start("useOneWayEnd", [writer, "send", 5]);
        const received: number[] = [];
        for await (const item of reader) received.push(item);
        deepEqual(received, range(0, 5), "what the worker sent, in order");
        const sent = (await sending.join()) as { refused: string };
        ok(ONE_WAY_RECV.test(sent.refused) && sent.refused.startsWith("InvalidStateError: "), `recv on the sending end, in a worker: ${sent.refused}`);

        // The receiving end in a worker, the sending end here.
        const [workerReader, mainWriter] = Pipe<number>(oneWay);
        const receiving = start("useOneWayEnd", [workerReader, "receive", 0]);
        for (const i of range(0, 5)) await mainWriter.send(i);
        await mainWriter.close();
        const read = (await receiving.join()) as { refused: string; received: number[] };
        ok(ONE_WAY_SEND.test(read.refused) && read.refused.startsWith("InvalidStateError: "), `send on the receiving end, in a worker: ${read.refused}`);
        deepEqual(read.received, range(0, 5), "the worker read what was sent, in order");
      }
      // Closing the receiving end tells the sending end nobody reads (Python's BrokenPipeError).
      const [reader, writer] = Pipe<number>(false);
      await writer.send(1);
      await reader.close();
      await rejects(writer.send(2), "QueueShutDown");
      for (const duplex of [true, { duplex: true }] as const) {
        const [here, there] = Pipe<number>(duplex);
        const worker = start("echoDoubled", [there, 3]);
        const answers: number[] = [];
        for (const i of range(1, 4)) {
          await here.send(i);
          answers.push(await here.recv());
        }
        deepEqual(answers, [2, 4, 6], `Pipe(${JSON.stringify(duplex)}): each value came back doubled`);
        equal(await worker.join(), 3);
      }
    },
  },
  {
    name: "channels: an item a worker fetched and never took goes back to the queue, in its place, when the worker dies",
    needs: ["local-channels"],
    async run(ctx) {
      const queue = new multiprocessing.Queue<number>();
      const report = new multiprocessing.Queue<number>();
      for (const i of range(0, 100)) await queue.put(i);
      await using pool = fixturePool(ctx, { size: 1 });
      await rejects(pool.apply("takeAndExit", [queue as never, report as never, 3]), "WorkerExitError");
      await queue.close();
      await report.close();
      const taken = await drain(report);
      const rest = await drain(queue);
      deepEqual([...taken].sort((a, b) => a - b), range(-1, 9), "the worker took the first 9 (its report also has -1)");
      deepEqual(rest, range(9, 100), "every other item came back, in its place, exactly once");
    },
  },
  {
    name: "channels: an item a worker fetched and did not take goes back to the queue when the worker stops taking",
    needs: ["local-channels"],
    async run(ctx) {
      const queue = new multiprocessing.Queue<number>();
      const report = new multiprocessing.Queue<number>();
      for (const i of range(0, 100)) await queue.put(i);
      await using pool = fixturePool(ctx, { size: 1 });
      equal(await pool.apply("takeAndHold", [queue as never, report as never]), 9, "the worker took 9 items");
      equal(await queue.qsize(), 91, "qsize counts every item not taken");
      const rest: number[] = [];
      for (let i = 0; i < 91; i++) rest.push(await queue.get({ timeout: 10_000 }));
      deepEqual(rest.sort((a, b) => a - b), range(9, 100), "the main side gets every other item once, the worker alive and idle");
      await report.close();
      deepEqual((await drain(report)).sort((a, b) => a - b), range(0, 9));
    },
  },
  {
    name: "channels: a worker that asks for an item and dies at once loses none",
    needs: ["local-channels"],
    async run(ctx) {
      const queue = new multiprocessing.Queue<number>();
      for (const i of range(0, 5)) await queue.put(i);
      await using pool = fixturePool(ctx, { size: 1 });
      await rejects(pool.apply("getThenExit", [queue as never, 3]), "WorkerExitError");
      const items: number[] = [];
      for (let i = 0; i < 5; i++) items.push(await queue.get({ timeout: 10_000 }));
      deepEqual(items, range(0, 5), "every item is still there, in order");
      await rejects(queue.get({ timeout: 20 }), "TimeoutError");
    },
  },
  {
    name: "channels: each producer's items keep their order when several put at once (workers and the main side)",
    needs: ["local-channels"],
    async run(ctx) {
      for (const maxsize of [0, 5]) {
        const queue = new multiprocessing.Queue<[string, number]>(maxsize);
        await using pool = fixturePool(ctx, { size: 3 });
        const producers = ["a", "b", "c"].map((tag) => pool.apply("produceTagged", [queue as never, tag, 300]));
        const here = (async () => {
          for (const i of range(0, 300)) await queue.put(["main", i]);
        })();
        const received: [string, number][] = [];
        while (received.length < 1200) received.push(await queue.get({ timeout: 30_000 }));
        await Promise.all([...producers, here]);
        for (const tag of ["a", "b", "c", "main"]) {
          deepEqual(received.filter(([t]) => t === tag).map(([, i]) => i), range(0, 300), `maxsize ${maxsize}: ${tag}'s items, once each and in order`);
        }
        equal(await queue.qsize(), 0, "nothing left over");
      }
    },
  },
  {
    name: "channels: back-pressure at maxsize — a worker's puts wait when the queue is full, and go on when room is made",
    needs: ["local-channels"],
    async run(ctx) {
      const queue = new multiprocessing.Queue<number>(3);
      await using pool = fixturePool(ctx, { size: 2 });
      deepEqual(await pool.apply("fillUntilFull", [queue as never, 100]), { put: 3, error: "TimeoutError" }, "exactly maxsize puts went in");
      equal(await queue.qsize(), 3, "qsize");
      ok(await queue.full(), "full() once maxsize items are in");
      deepEqual(await pool.apply("inspectQueue", [queue as never]), { qsize: 3, empty: false, full: true }, "what a worker sees");
      await rejects(queue.put(99, { timeout: 20 }), "TimeoutError");
      let done = false;
      const blocked = pool.apply("produce", [queue as never, 3, 2, false]).then(() => (done = true));
      await sleep(100);
      equal(done, false, "a put into a full queue waits");
      equal(await queue.get(), 0, "the oldest item first");
      equal(await queue.get(), 1);
      await blocked;
      deepEqual([await queue.get(), await queue.get(), await queue.get()], [2, 3, 4], "the waiting puts went in, in order");
      ok(await queue.empty(), "empty() once everything was taken");
    },
  },
  {
    name: "channels: a task's puts are in the queue when its result arrives; get(timeout) in a worker times out and takes nothing",
    needs: ["local-channels"],
    async run(ctx) {
      const queue = new multiprocessing.Queue<number>();
      await using pool = fixturePool(ctx, { size: 1 });
      equal(await pool.apply("produce", [queue as never, 0, 50, false]), 50);
      equal(await queue.qsize(), 50, "all 50 arrived before the result");
      for (const i of range(0, 50)) equal(await queue.get(), i);
      equal(await pool.apply("getWithTimeout", [queue as never, 30]), "TimeoutError");
      await queue.put(7);
      equal(await queue.get({ timeout: 10_000 }), 7, "the item put after the worker's get timed out is still here");
    },
  },
  {
    name: "channels: JoinableQueue — join() returns once workers marked every item done with taskDone()",
    needs: ["local-channels"],
    async run(ctx) {
      const queue = new multiprocessing.JoinableQueue<number>();
      await using pool = fixturePool(ctx, { size: 2 });
      const workers = [pool.apply("takeAndMarkDone", [queue as never]), pool.apply("takeAndMarkDone", [queue as never])];
      for (const i of range(0, 200)) await queue.put(i);
      await queue.join({ timeout: 30_000 });
      equal(await queue.qsize(), 0, "every item was taken before join() returned");
      await queue.close();
      const counts = await Promise.all(workers);
      equal(counts[0]! + counts[1]!, 200, "each item was taken and marked done once");
      await rejects(Promise.resolve().then(() => queue.taskDone()), "InvalidStateError", /too many times/);
    },
  },
  {
    name: "channels: Python's positional maxsize, and clear errors for bad options",
    needs: ["local-channels"],
    async run(ctx) {
      const queue = new multiprocessing.Queue<number>(2);
      equal(queue.maxsize, 2, "new Queue(2) is bounded to 2, as Python's Queue(2)");
      equal(new multiprocessing.Queue({ maxsize: 4 }).maxsize, 4);
      equal(new multiprocessing.Queue().maxsize, 0, "unbounded by default");
      for (const bad of [-1, 1.5, NaN, "2", null, [2], { max: 2 }, { maxsize: "2" }]) {
        let error: unknown;
        try {
          new multiprocessing.Queue(bad as never);
        } catch (e) {
          error = e;
        }
        equal((error as Error)?.name, "InvalidArgumentError", `new Queue(${JSON.stringify(bad)})`);
      }
      await rejects(queue.put(1, { timeout: -1 }), "InvalidArgumentError", /timeout/);
      await rejects(queue.get({ wait: 5 } as never), "InvalidArgumentError", /unknown option "wait"/);
      await using pool = fixturePool(ctx, { size: 1 });
      ok((await pool.apply("putWithOptions", [queue as never, { timout: 5 }])).startsWith("InvalidArgumentError"), "a worker's bad option is refused there");
      equal(await pool.apply("putWithOptions", [queue as never, { timeout: 1000 }]), "ok");
      await queue.put(2);
      ok(await queue.full(), "two items fill Queue(2)");
      equal(await pool.apply("putWithOptions", [queue as never, { timeout: 20 }]), "TimeoutError: Queue.put() timed out after 20 ms.");
    },
  },
  {
    name: "channels: a Queue created on the main side carries items main → worker and worker → worker",
    needs: ["local-channels"],
    async run(ctx) {
      const queue = new multiprocessing.Queue<number>(10);
      await using pool = fixturePool(ctx, { size: 2 });
      const consuming = pool.apply("consumeAll", [queue as never]);
      for (const i of range(0, 500)) await queue.put(i);
      await queue.close();
      deepEqual(await consuming, range(0, 500), "main → worker: every item, in order");
      const between = new multiprocessing.Queue<number>(10);
      const consumer = pool.apply("consumeAll", [between as never]);
      equal(await pool.apply("produce", [between as never, 0, 500, true]), 500);
      deepEqual(await consumer, range(0, 500), "worker → worker: every item, in order");
    },
  },
];
