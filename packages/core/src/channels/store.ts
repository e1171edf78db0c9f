/**
 * The items of one channel queue, on the side that owns it, and the standing of every worker
 * that uses it (a {@link Lease}): the credit it holds for puts that travel without asking, and
 * the items handed to it that it has not said it took.
 *
 * Room is counted as Python counts it with its semaphore: an item takes a slot from the moment
 * it is put until it is taken. Credit promised to a worker takes a slot too, but only as a
 * reservation: a put on any side that finds the queue not full (items here and items handed out
 * below `maxsize`) takes a reserved slot back at once ({@link ChannelStore.put}), so that a worker
 * busy computing never makes a non-full queue refuse a put. The items that worker then sends
 * beyond its remaining credit had resolved there: they wait here, in their order and outside
 * `qsize()`, until room frees ("overflow"). So `qsize()` never exceeds `maxsize`.
 *
 * An item handed to a worker keeps its slot until the worker says it took it (a message, or for
 * a thread worker a shared counter it updates at every take, read when it dies); one it never
 * took goes back to the queue in its place (by arrival order) when the worker gives it back or
 * dies.
 */
import { InvalidStateError } from "../errors.js";
import { QueueShutDown } from "../asyncio/errors.js";
import { type Entry, ItemDeque } from "./item-deque.js";
import { armWaiting, CREDIT_WINDOW, type Getter, type Lease, type Putter, settleWaiting, type Wait, type Waiting } from "./waiting.js";

export { CREDIT_WINDOW, type Lease } from "./waiting.js";

/** What a joiner is settled with when the last item is marked done (its success). */
const ALL_DONE = Symbol("all done");

/** One settled promise for every put that had room: a put that needs no waiting allocates none. */
const RESOLVED: Promise<void> = Promise.resolve();

/** What a synchronous take returns when there is no item to take now (the caller waits instead). */
export const NOTHING: unique symbol = Symbol("weft.nothing");

export class ChannelStore<T> {
  readonly maxsize: number;
  readonly #name: string;
  /** The items here, oldest first, with their arrival numbers. */
  readonly #items = new ItemDeque<T>();
  #seq = 0;
  #closed = false;
  #heldTotal = 0;
  #creditTotal = 0;
  readonly #getters: Getter<T>[] = [];
  readonly #putters: Putter<T>[] = [];
  readonly #leases = new Set<Lease>();
  /** Items that arrived from workers beyond their credit (a put took their reserved room back): resolved puts waiting for room, oldest first. */
  readonly #overflow = new ItemDeque<T>();
  /** Items put and not yet marked done (JoinableQueue). */
  #unfinished = 0;
  /** A worker called taskDone() more often than items were put: the next join() says so. */
  #overDone = false;
  readonly #joiners: Waiting[] = [];

  constructor(maxsize: number, name: string) {
    this.maxsize = maxsize;
    this.#name = name;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Items put and not yet taken: here, and handed to workers that have not taken them. */
  qsize(): number {
    return this.#count() + this.#heldTotal;
  }

  /** Slots in use, with the credit promised to workers. */
  #used(): number {
    return this.#count() + this.#heldTotal + this.#creditTotal + this.#overflow.length;
  }

  /**
   * Room for one more item, taking back a slot reserved as a worker's credit when that is all that
   * fills the queue. The worker keeps believing it has the slot; what it sends beyond its credit
   * goes to the overflow.
   */
  #roomForOne(): boolean {
    if (this.#room() >= 1) return true;
    if (this.#creditTotal === 0 || this.#count() + this.#heldTotal + this.#overflow.length >= this.maxsize) return false;
    let richest: Lease | undefined;
    for (const lease of this.#leases) if (lease.credit > (richest?.credit ?? 0)) richest = lease;
    if (!richest) return false;
    // Recall first: the worker must hear that its room is gone even when none is left to it.
    this.#recall(richest, false);
    richest.credit--;
    this.#creditTotal--;
    return true;
  }

  #count(): number {
    return this.#items.length;
  }

  #room(): number {
    return this.maxsize === 0 ? Infinity : this.maxsize - this.#used();
  }

  // ----- the owner's own operations -----------------------------------------------------------

  put(value: T, wait: Wait): Promise<void> {
    // The common case first, without a waiter: there is room and nobody waits ahead.
    if (!this.#closed && this.#putters.length === 0 && this.#overflow.length === 0 && this.#roomForOne()) {
      this.#add(value);
      this.#pump();
      return RESOLVED;
    }
    return new Promise((resolve, reject) => this.#put(undefined, value, wait, resolve, reject));
  }

  get(wait: Wait): Promise<T> {
    const value = this.takeNow();
    if (value !== NOTHING) return Promise.resolve(value);
    return new Promise((resolve, reject) =>
      this.#get(undefined, 1, wait, (entries) => resolve(entries[0]!.value), reject),
    );
  }

  /** The oldest item, at once, if one is here and nobody waits ahead; else {@link NOTHING}. */
  takeNow(): T | typeof NOTHING {
    if (this.#getters.length > 0 || this.#count() === 0) return NOTHING;
    const value = this.#takeOne();
    this.#pump();
    return value;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const putter of this.#putters.splice(0)) settleWaiting(putter).fail(this.#shutDown("put"));
    for (const lease of this.#leases) this.#recall(lease, true);
    this.#pump();
  }

  // ----- a worker's operations, through its host ----------------------------------------------

  enter(lease: Lease): void {
    this.#leases.add(lease);
  }

  /**
   * Items a worker put with credit: accepted whatever happened since (the put resolved there).
   * The store keeps `values` itself: the caller must not use the array again.
   */
  accept(lease: Lease, values: T[]): void {
    const spent = Math.min(values.length, lease.credit);
    lease.credit -= spent;
    this.#creditTotal -= spent;
    this.#unfinished += values.length;
    if (this.#overflow.length === 0 && (this.maxsize === 0 || this.#room() >= values.length)) {
      this.#items.adopt(values, this.#seq);
      this.#seq += values.length;
    } else {
      // Part of this worker's room was taken back: what does not fit waits, in order, behind
      // what already waits (one worker's items never overtake each other).
      for (const value of values) {
        if (this.#overflow.length === 0 && this.#room() >= 1) this.#items.push(value, this.#seq++);
        else this.#overflow.push(value, 0);
      }
    }
    this.#pump();
  }

  /** A put without credit: waits for room, then grants credit with the answer. */
  remotePut(lease: Lease, value: T, wait: Wait, done: (credit: number) => void, fail: (error: unknown) => void): () => void {
    return this.#put(lease, value, wait, () => done(this.#topUp(lease)), fail);
  }

  remoteGet(lease: Lease, want: number, wait: Wait, deliver: (values: T[]) => void, fail: (error: unknown) => void): () => void {
    return this.#get(lease, want, wait, (entries) => {
      for (const entry of entries) lease.held.push(entry.value, entry.seq);
      this.#heldTotal += entries.length;
      deliver(entries.map((e) => e.value));
    }, fail);
  }

  /**
   * A worker's prefetch: up to `want` items handed over at once, or none when nobody may take
   * them ahead of those waiting here (or there are none). Never waits.
   */
  spare(lease: Lease, want: number): T[] {
    if (this.#getters.length > 0 || this.#count() === 0) return [];
    const values = this.#items.moveTo(lease.held as ItemDeque<T>, want);
    this.#heldTotal += values.length;
    return values;
  }

  took(lease: Lease, count: number): void {
    lease.reported += count;
    this.#heldTotal -= lease.held.drop(count);
    this.#pump();
  }

  /** The answer to a recall. */
  release(lease: Lease, took: number, returned: number, credit: number): void {
    lease.recalling = false;
    lease.reported += took;
    const spent = Math.min(credit, lease.credit);
    lease.credit -= spent;
    this.#creditTotal -= spent;
    this.#heldTotal -= lease.held.drop(took);
    this.#giveBack(lease.held.take(returned) as Entry<T>[]);
    this.#pump();
  }

  /** The worker is gone: what it held comes back, its credit is freed, its waits are dropped. */
  leave(lease: Lease): void {
    if (!this.#leases.delete(lease)) return;
    this.#creditTotal -= lease.credit;
    lease.credit = 0;
    // What a thread worker's code was handed and it could not report is taken, not given back.
    const unreported = lease.takes ? Math.min(lease.held.length, Math.max(0, Atomics.load(lease.takes, 0) - lease.reported)) : 0;
    this.#heldTotal -= lease.held.drop(unreported);
    this.#giveBack(lease.held.take(lease.held.length) as Entry<T>[]);
    for (const list of [this.#getters, this.#putters] as Waiting[][]) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i]!.lease === lease) settleWaiting(list[i]!, list);
    }
    this.#pump();
  }

  /** Credit to add so that a worker can keep putting without waiting; 0 while others wait for room. */
  #topUp(lease: Lease): number {
    if (this.#closed || this.#putters.length > 0) return 0;
    const extra = Math.max(0, Math.min(CREDIT_WINDOW - lease.credit, this.#room()));
    lease.credit += extra;
    this.#creditTotal += extra;
    return extra;
  }

  /** After items arrived from `lease`, tops its credit up (told in one message by the host). */
  refill(lease: Lease): void {
    if (lease.recalling || lease.credit > CREDIT_WINDOW / 2) return;
    const extra = this.#topUp(lease);
    if (extra > 0) lease.grant(extra);
  }

  // ----- internals -----------------------------------------------------------------------------

  #add(value: T): void {
    this.#items.push(value, this.#seq++);
    this.#unfinished++;
  }

  /**
   * Marks `count` items done. Too many: the owner's own call throws; a worker's cannot be thrown
   * where it was made, so the next join() rejects instead.
   */
  taskDone(count: number, fromWorker: boolean): void {
    if (count > this.#unfinished) {
      if (!fromWorker) throw new InvalidStateError(`${this.#name}.taskDone() called too many times.`);
      this.#overDone = true;
      count = this.#unfinished;
    }
    this.#unfinished -= count;
    if (this.#unfinished === 0) for (const joiner of this.#joiners.splice(0)) settleWaiting(joiner).fail(ALL_DONE);
  }

  /** Waits until every item put was marked done; returns the withdrawal. */
  join(wait: Wait, done: () => void, fail: (error: unknown) => void): () => void {
    if (this.#overDone) {
      this.#overDone = false;
      fail(new InvalidStateError(`${this.#name}.taskDone() was called more times than items were put (by a worker).`));
      return () => {};
    }
    if (this.#unfinished === 0) {
      done();
      return () => {};
    }
    const joiner: Waiting = { lease: undefined, settled: false, cleanup: () => {}, fail: (error) => (error === ALL_DONE ? done() : fail(error)) };
    this.#arm(joiner, wait, this.#joiners, "join");
    this.#joiners.push(joiner);
    return () => this.#withdraw(joiner, this.#joiners, wait.signal?.reason);
  }

  /** Puts returned entries back where they were, by arrival order. */
  #giveBack(entries: Entry<T>[]): void {
    if (entries.length === 0) return;
    this.#heldTotal -= entries.length;
    entries.sort((a, b) => a.seq - b.seq);
    this.#items.merge(entries);
  }

  #takeOne(): T {
    return this.#items.shift();
  }

  #take(count: number): Entry<T>[] {
    return this.#items.take(count);
  }

  #shutDown(op: "put" | "get"): QueueShutDown {
    return new QueueShutDown(op === "put" ? `${this.#name} is closed; nothing more can be put.` : `${this.#name} is closed and empty.`);
  }

  #put(lease: Lease | undefined, value: T, wait: Wait, done: () => void, fail: (error: unknown) => void): () => void {
    if (this.#closed) {
      fail(this.#shutDown("put"));
      return () => {};
    }
    if (this.#putters.length === 0 && this.#overflow.length === 0 && this.#roomForOne()) {
      this.#add(value);
      done();
      this.#pump();
      return () => {};
    }
    const putter: Putter<T> = { lease, value, done, fail, settled: false, cleanup: () => {} };
    this.#arm(putter, wait, this.#putters, "put");
    this.#putters.push(putter);
    this.#pump();
    return () => this.#withdraw(putter, this.#putters, wait.signal?.reason);
  }

  #get(lease: Lease | undefined, want: number, wait: Wait, deliver: (entries: Entry<T>[]) => void, fail: (error: unknown) => void): () => void {
    const getter: Getter<T> = { lease, want, deliver, fail, settled: false, cleanup: () => {} };
    if (this.#getters.length === 0 && this.#count() > 0) {
      deliver(this.#take(want));
      this.#pump();
      return () => {};
    }
    if (this.#drained()) {
      fail(this.#shutDown("get"));
      return () => {};
    }
    this.#arm(getter, wait, this.#getters, "get");
    this.#getters.push(getter);
    this.#pump();
    return () => this.#withdraw(getter, this.#getters, wait.signal?.reason);
  }

  /** Starts a waiter's timeout and abort listener: either ends its wait, and the others are served. */
  #arm(waiting: Waiting, wait: Wait, list: Waiting[], op: string): void {
    armWaiting(waiting, wait, `${this.#name}.${op}() timed out after ${wait.timeout} ms.`, (error) => {
      settleWaiting(waiting, list).fail(error);
      this.#pump();
    });
  }

  /** A waiter withdrawn by its worker (cancel): it fails with an abort unless it was served. */
  #withdraw(waiting: Waiting, list: Waiting[], reason: unknown): void {
    if (waiting.settled) return;
    settleWaiting(waiting, list).fail(reason);
    this.#pump();
  }

  #drained(): boolean {
    return this.#closed && this.#count() === 0 && this.#heldTotal === 0 && this.#creditTotal === 0 && this.#overflow.length === 0;
  }

  /** Serves whoever waits, as far as items and room allow, and asks workers for what they hold. */
  #pump(): void {
    // Overflow items count among the used slots already: one moves in when a slot beside them frees.
    while (this.#overflow.length > 0 && this.#count() + this.#heldTotal + this.#creditTotal < this.maxsize) this.#items.push(this.#overflow.shift(), this.#seq++);
    while (this.#putters.length > 0 && this.#overflow.length === 0 && this.#roomForOne()) {
      const putter = settleWaiting(this.#putters.shift()!);
      this.#add(putter.value);
      putter.done();
    }
    while (this.#getters.length > 0 && this.#count() > 0) {
      const getter = settleWaiting(this.#getters.shift()!);
      // Share what is here with those waiting behind, so one worker does not prefetch it all.
      const share = Math.max(1, Math.ceil(this.#count() / (this.#getters.length + 1)));
      getter.deliver(this.#take(Math.min(getter.want, share)));
    }
    if (this.#getters.length > 0) {
      if (this.#drained()) {
        for (const getter of this.#getters.splice(0)) settleWaiting(getter).fail(this.#shutDown("get"));
        return;
      }
      // Someone waits for an item while other workers hold some they have not taken.
      for (const lease of this.#leases) if (lease.held.length > 0 && !this.#getters.every((g) => g.lease === lease)) this.#recall(lease, false);
    }
    // Someone waits for room while workers hold credit they may not use soon.
    if (this.#putters.length > 0) for (const lease of this.#leases) if (lease.credit > 0) this.#recall(lease, false);
  }

  #recall(lease: Lease, closed: boolean): void {
    if (lease.recalling && !closed) return;
    if (!closed && lease.credit === 0 && lease.held.length === 0) return;
    lease.recalling = true;
    lease.recall(closed);
  }
}
