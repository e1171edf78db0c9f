import { deepEqual, equal, ok, rejects } from "../assert.js";
import type { CaseDefinition } from "../harness.js";
import { fixturePool } from "./util.js";

export const valueCases: CaseDefinition[] = [
  {
    name: "values: structured-clone types survive the round trip",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const date = new Date(Date.UTC(2026, 10, 25));
      const samples: [string, unknown][] = [
        ["Date", date],
        ["Map", new Map<unknown, unknown>([["a", 1], [2, { b: [3] }]])],
        ["Set", new Set([1, "two", 3n])],
        ["Uint8Array", new Uint8Array([1, 2, 255])],
        ["Float64Array", new Float64Array([0.5, -0, Number.NaN])],
        ["BigInt", 2n ** 70n],
        ["RegExp", /we+ft/gi],
        ["nested", { list: [1, { deep: new Map([["k", new Set([null])]]) }], nothing: undefined, nan: Number.NaN }],
      ];
      for (const [label, value] of samples) deepEqual(await pool.apply("echo", [value]), value, `${label} round trip`);
      equal(await pool.apply("describe", [date]), "Date", "the worker receives a real Date");
      equal(await pool.apply("describe", [new Map()]), "Map", "the worker receives a real Map");
      const error = (await pool.apply("echo", [new RangeError("as a value", { cause: new Error("why") })])) as Error;
      ok(error instanceof RangeError, "a RangeError sent as a value comes back as a RangeError");
      equal(error.message, "as a value");
      equal((error.cause as Error | undefined)?.message, "why", "its cause crosses too");
      equal(await pool.apply("describe", [new TypeError("x")]), "Error", "the worker receives a real Error");
    },
  },
  {
    name: "values: a transferred ArrayBuffer moves to a thread and is copied to a process",
    needs: ["transfer"],
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const buffer = new ArrayBuffer(1024);
      equal(await pool.apply("byteLength", [buffer], { transfer: [buffer] }), 1024, "the worker got the bytes");
      if (ctx.kind === "thread") equal(buffer.byteLength, 0, "detached in the sender after a transfer to a thread");
      else equal(buffer.byteLength, 1024, "still usable in the sender after a copy to a process");
    },
  },
  {
    name: "values: a SharedArrayBuffer is shared with a thread",
    kinds: ["thread"],
    async run(ctx) {
      if (!ctx.adapter.capabilities.sharedMemory) ctx.skip(ctx.adapter.capabilities.notes?.sharedMemory ?? "no shared memory here");
      await using pool = fixturePool(ctx, { size: 2 });
      const counter = new Int32Array(new SharedArrayBuffer(4));
      await Promise.all([pool.apply("atomicIncrement", [counter, 0, 1000]), pool.apply("atomicIncrement", [counter, 0, 1000])]);
      equal(Atomics.load(counter, 0), 2000, "both threads' increments are visible here");
    },
  },
  {
    name: "values: shared memory sent to a process is refused with a clear error",
    kinds: ["process"],
    async run(ctx) {
      if (typeof SharedArrayBuffer !== "function") ctx.skip("SharedArrayBuffer is not available in this context, so it cannot be sent");
      await using pool = fixturePool(ctx, { size: 1 });
      const shared = new SharedArrayBuffer(8);
      await rejects(pool.apply("echo", [shared]), "DataCloneError", /args\[0\].*(process shares no memory|cannot be shared with another machine)/);
      await rejects(pool.apply("echo", [{ view: new Int32Array(shared) }]), "DataCloneError", /args\[0\]\.view/);
      equal(await pool.apply("echo", [1]), 1, "the pool still serves");
    },
  },
  {
    name: "values: a shared buffer made in a process cannot come back",
    kinds: ["process"],
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const error = await pool.apply("makeSharedBuffer", [8]).then(() => undefined, (e: unknown) => e as Error);
      ok(error !== undefined, "returning a SharedArrayBuffer from a process fails");
      ok(/shared|SharedArrayBuffer|clone/i.test(error!.message), `the error says why: ${error!.message}`);
    },
  },
  {
    name: "isolation: a worker's globals are not the caller's",
    async run(ctx) {
      await using pool = fixturePool(ctx, { size: 1 });
      const key = `__weftIsolation${ctx.kind}`;
      (globalThis as Record<string, unknown>)[key] = "caller";
      equal(await pool.apply("readGlobal", [key]), undefined, "the worker does not see the caller's global");
      await pool.apply("setGlobal", [key, "worker"]);
      equal((globalThis as Record<string, unknown>)[key], "caller", "the caller does not see the worker's global");
      equal(await pool.apply("readGlobal", [key]), "worker", "the worker keeps its own global");
      delete (globalThis as Record<string, unknown>)[key];
    },
  },
];
