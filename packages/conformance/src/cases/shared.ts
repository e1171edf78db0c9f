import { Value, threading } from "@weft/core";
import { deepEqual, equal, ok, rejects } from "../assert.js";
import type { CaseContext, CaseDefinition } from "../harness.js";
import { fixturePool } from "./util.js";

function needsSharedMemory(ctx: CaseContext): void {
  if (!ctx.adapter.capabilities.sharedMemory) ctx.skip(ctx.adapter.capabilities.notes?.sharedMemory ?? "no shared memory in this context");
}

export const sharedCases: CaseDefinition[] = [
  {
    name: "race: four threads × 100,000 increments are exact with a Lock",
    kinds: ["thread"],
    timeoutMs: 60_000,
    async run(ctx) {
      needsSharedMemory(ctx);
      const counter = new Value("int32", 0);
      const lock = new threading.Lock();
      await using pool = fixturePool(ctx, { size: 4 });
      await Promise.all(Array.from({ length: 4 }, () => pool.apply("lockedIncrement", [counter as never, lock as never, 100_000])));
      equal(counter.load(), 400_000, "the locked count");
    },
  },
  {
    name: "race: four threads × 100,000 atomic Value.add calls are exact without a lock",
    kinds: ["thread"],
    async run(ctx) {
      needsSharedMemory(ctx);
      const counter = new Value("int32", 0);
      await using pool = fixturePool(ctx, { size: 4 });
      await Promise.all(Array.from({ length: 4 }, () => pool.apply("atomicValueAdd", [counter as never, 100_000])));
      equal(counter.load(), 400_000, "the atomic count");
    },
  },
  {
    name: "threading: Event, Barrier and RLock ownership work across threads",
    kinds: ["thread"],
    async run(ctx) {
      needsSharedMemory(ctx);
      await using pool = fixturePool(ctx, { size: 3 });
      const event = new threading.Event();
      const waiting = pool.apply("waitForEvent", [event as never, 5000]);
      await new Promise((r) => setTimeout(r, 50));
      event.set();
      equal(await waiting, true, "the thread saw the event set here");
      equal(await pool.apply("waitForEvent", [new threading.Event() as never, 50]), false, "an unset event times out with false");
      const barrier = new threading.Barrier(3);
      const indices = await Promise.all([0, 1, 2].map(() => pool.apply("barrierWait", [barrier as never])));
      deepEqual([...indices].sort(), [0, 1, 2], "each party got its own arrival index");
      const rlock = new threading.RLock();
      ok(await rlock.acquire(), "acquired here");
      equal(await pool.apply("releaseForeignLock", [rlock as never]), "NotOwnerError", "another thread cannot release it");
      rlock.release();
    },
  },
  {
    name: "threading: a shared primitive sent to a process is refused, saying why",
    kinds: ["process"],
    async run(ctx) {
      needsSharedMemory(ctx);
      await using pool = fixturePool(ctx, { size: 1 });
      // (A pool on other machines shares no memory with this one either, and says so.)
      await rejects(pool.apply("waitForEvent", [new threading.Event() as never, 10]), "DataCloneError", /args\[0\].*(process shares no memory|cannot be shared with another machine)/);
      await rejects(pool.apply("atomicValueAdd", [new Value("int32") as never, 1]), "DataCloneError", /process shares no memory|cannot be shared with another machine/);
    },
  },
];
