import { describe, expect, it } from "vitest";
import { InvalidArgumentError, SharedMemoryUnavailableError } from "../src/errors.js";
import { reviveShared, SHARED_HANDLE, type SharedDescriptor, type SharedHandle } from "../src/shared-handle.js";
import {
  Barrier, BoundedSemaphore, Condition, currentThreadId, Event, Lock, OverReleaseError,
  RLock, Semaphore, SharedArray, Value,
} from "../src/sync/index.js";
import { installThreadBootstrap, prepareThreadBootstrap } from "../src/testing.js";
import { turns } from "./sync-helpers.js";

/** What a thread receives: the descriptor after a structured clone, revived. */
function roundTrip<T extends SharedHandle>(original: T): T {
  const descriptor: SharedDescriptor = structuredClone(original[SHARED_HANDLE]());
  const revived = reviveShared(descriptor) as T;
  expect(revived).not.toBe(original);
  expect(Object.getPrototypeOf(revived)).toBe(Object.getPrototypeOf(original));
  return revived;
}

describe("descriptors: a revived copy operates on the same memory", () => {
  it("Lock", async () => {
    const lock = new Lock();
    const copy = roundTrip(lock);
    expect(copy.tryAcquire()).toBe(true);
    expect(lock.locked()).toBe(true);
    const waiting = lock.acquire(5_000);
    await turns();
    copy.release();
    expect(await waiting).toBe(true);
    expect(copy.locked()).toBe(true);
  });

  it("RLock (ownership is shared state too)", () => {
    const rlock = new RLock();
    const copy = roundTrip(rlock);
    expect(rlock.tryAcquire()).toBe(true);
    expect(copy.isOwned()).toBe(true);
    expect(copy.tryAcquire()).toBe(true); // same thread: re-entry through the other copy
    copy.release();
    rlock.release();
    expect(copy.locked()).toBe(false);
  });

  it("Semaphore and BoundedSemaphore (the bound travels)", () => {
    const sem = new Semaphore(2);
    const copy = roundTrip(sem);
    expect(copy.tryAcquire()).toBe(true);
    expect(sem.value).toBe(1);
    const bounded = new BoundedSemaphore(1);
    const bcopy = roundTrip(bounded);
    expect(bcopy).toBeInstanceOf(BoundedSemaphore);
    expect(() => bcopy.release()).toThrow(OverReleaseError);
    expect(bounded.tryAcquire()).toBe(true);
    expect(bcopy.value).toBe(0);
    bcopy.release();
    expect(bounded.value).toBe(1);
  });

  it("Event", async () => {
    const event = new Event();
    const copy = roundTrip(event);
    const waiting = copy.wait(5_000);
    await turns();
    event.set();
    expect(await waiting).toBe(true);
    expect(copy.isSet()).toBe(true);
  });

  it("Condition (with its lock)", async () => {
    const cond = new Condition(new Lock());
    const copy = roundTrip(cond);
    expect(copy.lock).toBeInstanceOf(Lock);
    await cond.acquire();
    expect(copy.lock.locked()).toBe(true);
    const waiting = cond.wait(5_000);
    await turns();
    await copy.acquire();
    copy.notify();
    copy.release();
    expect(await waiting).toBe(true);
    cond.release();
    expect(roundTrip(new Condition()).lock).toBeInstanceOf(RLock);
  });

  it("Barrier (parties and timeout travel)", async () => {
    const barrier = new Barrier(2, { timeout: 5_000 });
    const copy = roundTrip(barrier);
    expect(copy.parties).toBe(2);
    const indices = await Promise.all([barrier.wait(), copy.wait()]);
    expect(indices.sort()).toEqual([0, 1]);
    await copy.abort();
    expect(barrier.broken).toBe(true);
  });

  it("Value and SharedArray (and their locks)", () => {
    const value = new Value("float64", 1);
    const vcopy = roundTrip(value);
    vcopy.add(0.5);
    expect(value.value).toBe(1.5);
    expect(vcopy.kind).toBe("float64");
    value.getLock().tryAcquire();
    expect(vcopy.getLock().locked()).toBe(true);
    const arr = SharedArray.from("bigint64", [1n, 2n, 3n]);
    const acopy = roundTrip(arr);
    expect(acopy.length).toBe(3);
    acopy.add(2, 10n);
    expect(arr.array[2]).toBe(13n);
    acopy.array[0] = 7n; // plain writes through the typed view too
    expect(arr.load(0)).toBe(7n);
  });

  it("a descriptor that does not describe shared memory is refused", () => {
    const descriptor = new Lock()[SHARED_HANDLE]();
    expect(() => reviveShared({ type: descriptor.type, state: { buffer: new ArrayBuffer(4), byteOffset: 0 } })).toThrow(InvalidArgumentError);
    expect(() => reviveShared({ type: descriptor.type, state: { buffer: new SharedArrayBuffer(4), byteOffset: 4 } })).toThrow(InvalidArgumentError);
  });
});

describe("without SharedArrayBuffer (a page that is not cross-origin isolated)", () => {
  it("every primitive throws SharedMemoryUnavailableError naming both headers", () => {
    const g = globalThis as { SharedArrayBuffer?: unknown };
    const saved = g.SharedArrayBuffer;
    delete g.SharedArrayBuffer;
    try {
      const makers = [
        () => new Lock(), () => new RLock(), () => new Semaphore(), () => new BoundedSemaphore(), () => new Event(),
        () => new Condition(), () => new Barrier(2), () => new Value("int32"), () => SharedArray.of("int32", 1),
      ];
      for (const make of makers) {
        let thrown: unknown;
        try {
          make();
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(SharedMemoryUnavailableError);
        const message = (thrown as Error).message;
        expect(message).toContain("Cross-Origin-Opener-Policy: same-origin");
        expect(message).toContain("Cross-Origin-Embedder-Policy: require-corp");
        expect(message).toMatch(/send the headers/);
      }
    } finally {
      g.SharedArrayBuffer = saved;
    }
    expect(new Lock().tryAcquire()).toBe(true);
  });
});

describe("thread ids", () => {
  it("are non-zero int32s; a parent allocates distinct ids for its children from one shared counter", () => {
    const g = globalThis as Record<symbol, unknown>;
    const THREAD_ID = Symbol.for("weft.threadId");
    const COUNTER = Symbol.for("weft.threadIdCounter");
    const me = currentThreadId();
    expect(me).not.toBe(0);
    expect(me | 0).toBe(me);
    expect(g[THREAD_ID]).toBe(me);
    const a = prepareThreadBootstrap();
    const b = prepareThreadBootstrap();
    expect(new Set([me, a.threadId, b.threadId]).size).toBe(3);
    expect(a.threadIdCounter).toBeInstanceOf(SharedArrayBuffer);
    // A child installs what it was given, and allocates for its own children from the same counter.
    const saved = { id: g[THREAD_ID], counter: g[COUNTER] };
    try {
      delete g[COUNTER];
      installThreadBootstrap(structuredClone(a));
      expect(currentThreadId()).toBe(a.threadId);
      const grandchild = prepareThreadBootstrap();
      expect([me, a.threadId, b.threadId]).not.toContain(grandchild.threadId);
      expect(() => installThreadBootstrap({ threadId: 0 })).toThrow(TypeError);
    } finally {
      g[THREAD_ID] = saved.id;
      g[COUNTER] = saved.counter;
    }
  });
});
