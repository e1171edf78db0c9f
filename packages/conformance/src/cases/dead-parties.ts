/**
 * Dead parties (issue 14 item 7): a thread terminated while it held a primitive or waited in one.
 * Every timed wait honours its timeout whatever happened to the other parties; a Barrier is
 * broken, not wedged, and reset() restores it; a Lock held by a dead thread stays held (as in
 * Python), shows which thread holds it, and any thread may release it.
 */
import { Thread, Value, threading } from "@weft/core";
import { deepEqual, equal, eventually, ok, rejects } from "../assert.js";
import type { CaseContext, CaseDefinition } from "../harness.js";

function needsSharedMemory(ctx: CaseContext): void {
  if (!ctx.adapter.capabilities.sharedMemory) ctx.skip(ctx.adapter.capabilities.notes?.sharedMemory ?? "no shared memory in this context");
}

/**
 * A thread that takes `primitive` (its `acquireSync`, or a Barrier's `waitSync`), records the
 * holder id it sees in `seen` (1 when the primitive has none), then sleeps until terminated.
 */
function takeAndSleep(primitive: { acquireSync?(): boolean; waitSync?(): number; holder?: number; owner?: number }, seen: Value<"int32">): void {
  if (primitive.waitSync) {
    seen.store(1);
    primitive.waitSync();
  } else {
    primitive.acquireSync?.();
    seen.store(primitive.holder ?? primitive.owner ?? 1);
  }
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // until terminated
}

/** Starts a thread running {@link takeAndSleep} on `primitive`, waits until it took it, and terminates it; resolves what it recorded. */
async function takenByDeadThread(ctx: CaseContext, primitive: object, ready: () => boolean = () => true): Promise<number> {
  const seen = new Value("int32", 0);
  const thread = new Thread({ adapter: ctx.adapter, target: takeAndSleep, args: [primitive as never, seen] }).start();
  await eventually(() => seen.load() !== 0 && ready(), "the thread took the primitive", 20_000);
  await thread.terminate();
  equal(thread.isAlive(), false, "the thread is terminated");
  return seen.load();
}

/** A thread that announces itself (1), takes `lock` (2) and sleeps holding it until terminated. */
function announceTakeAndSleep(lock: threading.Lock, seen: Value<"int32">): void {
  seen.store(1);
  lock.acquireSync();
  seen.store(2);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

/**
 * A Condition's lock is taken by a thread while this one waits on it, and the thread dies holding
 * it: the timed wait must reject (TimeoutError) rather than wedge. The thread must take the lock
 * within the wait's timeout; on a loaded machine it may not, so a lost race is retried with a
 * longer timeout (a lost race is a wait that returned false, holding the lock).
 */
async function conditionLockTakenByDeadThread(ctx: CaseContext): Promise<void> {
  for (const timeoutMs of [500, 2_000, 8_000]) {
    const cond = new threading.Condition(new threading.Lock());
    const seen = new Value("int32", 0);
    await cond.acquire();
    const thread = new Thread({ adapter: ctx.adapter, target: announceTakeAndSleep, args: [cond.lock as threading.Lock, seen] }).start();
    await eventually(() => seen.load() === 1, "the thread is about to take the lock", 20_000);
    const waiting = cond.wait(timeoutMs).then((notified) => ({ notified }), (error: Error) => ({ error }));
    let raced = false;
    const outcome = await Promise.race([waiting, eventuallyTaken(seen, () => raced)]);
    raced = true;
    if (!("notified" in outcome)) {
      await thread.terminate();
      const result = await waiting;
      ok("error" in result && result.error.name === "TimeoutError", `the wait rejected with TimeoutError, not ${JSON.stringify(result)}`);
      equal(cond.lock.locked(), true, "the dead thread still holds the lock");
      return;
    }
    // Lost the race: this side re-acquired first. Let the thread have the lock, stop it, retry.
    cond.release();
    await thread.terminate();
  }
  throw new Error("the thread never took the lock within the wait's timeout, even at 8 s");
}

/** Resolves once `seen` is 2; stops polling (never resolving) once `over()` is true. */
async function eventuallyTaken(seen: Value<"int32">, over: () => boolean): Promise<{ taken: true }> {
  while (seen.load() !== 2) {
    if (over()) return new Promise(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { taken: true };
}

export const deadPartyCases: CaseDefinition[] = [
  {
    name: "dead parties: a Barrier whose party was terminated mid-wait breaks on a timed wait, and reset() restores it",
    kinds: ["thread"],
    timeoutMs: 60_000,
    async run(ctx) {
      needsSharedMemory(ctx);
      const barrier = new threading.Barrier(2);
      await takenByDeadThread(ctx, barrier, () => barrier.nWaiting === 1);
      // The dead party had arrived: the next arrival completes its generation (as in Python), or,
      // had it died inside the barrier's internal lock, finds the barrier broken. Either way it returns.
      const first = await barrier.wait(300).then(String, (error: Error) => error.name);
      ok(first === "1" || first === "BrokenBarrierError", `the first wait after the death returned ${first}`);
      await rejects(barrier.wait(300), "BrokenBarrierError");
      equal(barrier.broken, true, "a wait that timed out broke the barrier");
      await rejects(barrier.wait(300), "BrokenBarrierError");
      await barrier.reset();
      equal(barrier.broken, false, "reset() repaired it");
      equal(barrier.nWaiting, 0, "reset() forgot the dead party's arrival");
      const party = new Thread({ adapter: ctx.adapter, target: (b: threading.Barrier) => b.waitSync(20_000), args: [barrier] }).start();
      const here = await barrier.wait(20_000);
      deepEqual([here, await party.join()].sort(), [0, 1], "a new generation of two parties passes");
    },
  },
  {
    name: "dead parties: a Lock held by a terminated thread stays held, names its holder, and any thread may release it",
    kinds: ["thread"],
    async run(ctx) {
      needsSharedMemory(ctx);
      const lock = new threading.Lock();
      const holder = await takenByDeadThread(ctx, lock);
      ok(holder !== threading.currentThreadId(), "the thread recorded its own id as the holder");
      equal(lock.locked(), true, "the lock stays held (Python keeps it held)");
      equal(lock.holder, holder, "holder names the dead thread");
      equal(await lock.acquire(200), false, "a timed acquire returns false when its timeout elapses");
      lock.release();
      equal(lock.holder, undefined, "released: no holder");
      equal(await lock.acquire(0), true, "free again");
      equal(lock.holder, threading.currentThreadId(), "this thread holds it now");
      lock.release();
    },
  },
  {
    name: "dead parties: an RLock owned by a terminated thread stays owned; timed acquires return false; others cannot release it",
    kinds: ["thread"],
    async run(ctx) {
      needsSharedMemory(ctx);
      const rlock = new threading.RLock();
      const owner = await takenByDeadThread(ctx, rlock);
      equal(rlock.owner, owner, "owner names the dead thread");
      equal(await rlock.acquire(200), false, "a timed acquire returns false");
      await rejects(Promise.resolve().then(() => rlock.release()), "NotOwnerError");
    },
  },
  {
    name: "dead parties: Semaphore, Event and Condition timed waits honour their timeout after the other party died",
    kinds: ["thread"],
    timeoutMs: 60_000,
    async run(ctx) {
      needsSharedMemory(ctx);
      const semaphore = new threading.Semaphore(1);
      await takenByDeadThread(ctx, semaphore);
      equal(await semaphore.acquire(200), false, "the dead thread's slot is not given back");
      semaphore.release();
      equal(await semaphore.acquire(0), true, "any thread may release a Semaphore");

      equal(await new threading.Event().wait(200), false, "an Event nobody will set times out with false");

      await conditionLockTakenByDeadThread(ctx);
    },
  },
];
