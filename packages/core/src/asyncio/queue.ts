/**
 * Queue, PriorityQueue, LifoQueue: asyncio's queues (one event loop), after Python's `asyncio.Queue`,
 * `asyncio.PriorityQueue` and `asyncio.LifoQueue` (with 3.13's `shutdown`).
 */
import { InvalidArgumentError } from "../errors.js";
import { InvalidStateError, QueueEmpty, QueueFull, QueueShutDown } from "./errors.js";
import { describe } from "./internal.js";
import { Event } from "./event.js";
import { type WaitOptions, WaiterQueue, parseWait, resumedAborted } from "./waiters.js";

function checkMaxsize(maxsize: unknown, where: string): number {
  if (maxsize === Infinity) return 0;
  if (typeof maxsize !== "number" || !Number.isInteger(maxsize) || maxsize < 0) {
    throw new InvalidArgumentError(`${where}: maxsize must be an integer ≥ 0 (0 or Infinity: unbounded), got ${describe(maxsize)}.`);
  }
  return maxsize;
}

/**
 * This is asyncio's Queue (one event loop); for a queue shared between processes use multiprocessing.Queue.
 *
 * Mirrors Python's `asyncio.Queue(maxsize=0)` (FIFO; `maxsize` 0 means unbounded):
 * - `put`/`get` wait when the queue is full/empty; `putNowait`/`getNowait` throw {@link QueueFull} /
 *   {@link QueueEmpty} instead;
 * - `join()` waits until every item put was matched by a `taskDone()`; too many `taskDone()` calls throw an
 *   {@link InvalidStateError} (Python's ValueError);
 * - `shutdown(immediate)` (Python 3.13): puts then throw {@link QueueShutDown}; gets drain what is left and
 *   then throw it; blocked getters and putters are woken with it; `immediate` also discards the items (and
 *   counts them as done for `join()`).
 *
 * Waiting getters and putters are served strictly in FIFO order: an item (or free slot) is reserved for the
 * waiter it woke, so a newcomer — `get()` or `getNowait()` — cannot take it in the moment before that waiter
 * resumes (Python lets a newcomer barge in there and sends the woken getter back to the end of the line). A
 * waiter whose signal aborts, or whose `timeout` passes, leaves without taking an item or slot; if one had
 * been reserved for it, it goes to the next waiter. Negative or fractional `maxsize` → InvalidArgumentError
 * (Python treats ≤ 0 as unbounded).
 */
export class Queue<T> {
  readonly #maxsize: number;
  readonly #getters = new WaiterQueue<boolean>();
  readonly #putters = new WaiterQueue<boolean>();
  /** Items / free slots promised to woken getters / putters that have not resumed yet. */
  #getReserved = 0;
  #putReserved = 0;
  #unfinished = 0;
  readonly #finished = new Event();
  #shutdown = false;

  constructor(maxsize = 0) {
    this.#maxsize = checkMaxsize(maxsize, new.target.name);
    this.#finished.set();
  }

  // Storage, overridden by PriorityQueue and LifoQueue (Python's _put/_get/_qsize hooks).
  #items: T[] = [];
  #head = 0;
  /** @internal */
  protected _put(item: T): void {
    this.#items.push(item);
  }
  /** @internal */
  protected _get(): T {
    const item = this.#items[this.#head] as T;
    this.#items[this.#head] = undefined as T;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
  /** @internal */
  protected _qsize(): number {
    return this.#items.length - this.#head;
  }

  /** The capacity given at construction (0: unbounded). Mirrors `Queue.maxsize`. */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** Number of items in the queue. Mirrors `Queue.qsize()`. */
  qsize(): number {
    return this._qsize();
  }

  /** True if the queue holds no item. Mirrors `Queue.empty()`. */
  empty(): boolean {
    return this._qsize() === 0;
  }

  /** True if the queue holds `maxsize` items (never for an unbounded queue). Mirrors `Queue.full()`. */
  full(): boolean {
    return this.#maxsize > 0 && this._qsize() >= this.#maxsize;
  }

  #hasRoom(): boolean {
    return this.#maxsize === 0 || this._qsize() + this.#putReserved < this.#maxsize;
  }

  #available(): number {
    return this._qsize() - this.#getReserved;
  }

  /** Hand every item that is not promised yet to a waiting getter. */
  #wakeGetters(): void {
    while (this.#available() > 0 && this.#getters.wakeFirst(true)) this.#getReserved++;
  }

  #wakePutters(): void {
    while (this.#hasRoom() && this.#maxsize > 0 && this.#putters.wakeFirst(true)) this.#putReserved++;
  }

  /**
   * Puts an item without waiting. Throws {@link QueueFull} if there is no free slot (a slot promised to a
   * woken `put()` is not free), {@link QueueShutDown} after `shutdown()`. Mirrors `Queue.put_nowait()`.
   */
  putNowait(item: T): void {
    if (this.#shutdown) throw new QueueShutDown(`${this.constructor.name} is shut down; nothing more can be put.`);
    if (!this.#hasRoom()) throw new QueueFull(`${this.constructor.name} is full (maxsize ${this.#maxsize}).`);
    this.#add(item);
  }

  #add(item: T): void {
    this._put(item);
    this.#unfinished++;
    this.#finished.clear();
    this.#wakeGetters();
  }

  /**
   * Puts an item, waiting for a free slot if the queue is full. Mirrors `await queue.put(item)`. Rejects
   * with {@link QueueShutDown} if the queue is or gets shut down, with the signal's reason if `signal`
   * aborts, or a TimeoutError after `timeout` ms (the item is then not put).
   */
  async put(item: T, options?: WaitOptions): Promise<void> {
    const wait = parseWait(options, `${this.constructor.name}.put`);
    for (;;) {
      if (this.#shutdown) throw new QueueShutDown(`${this.constructor.name} is shut down; nothing more can be put.`);
      if (this.#hasRoom()) {
        this.#add(item);
        return;
      }
      const waiter = this.#putters.add(wait);
      let reserved: boolean;
      try {
        reserved = await waiter.promise;
      } catch (error) {
        this.#wakePutters();
        throw error;
      }
      this.#putters.remove(waiter);
      if (reserved) this.#putReserved--;
      if (resumedAborted(wait)) {
        this.#wakePutters(); // our slot goes to the next putter
        throw wait.signal?.reason;
      }
    }
  }

  /**
   * Removes and returns an item without waiting. Throws {@link QueueEmpty} if no item is available (an item
   * promised to a woken `get()` is not available), {@link QueueShutDown} if the queue is shut down and empty.
   * Mirrors `Queue.get_nowait()`.
   */
  getNowait(): T {
    if (this.#available() <= 0) {
      if (this.#shutdown && this.empty()) throw new QueueShutDown(`${this.constructor.name} is shut down and empty.`);
      throw new QueueEmpty(`${this.constructor.name} is empty.`);
    }
    return this.#take();
  }

  #take(): T {
    const item = this._get();
    this.#wakePutters();
    return item;
  }

  /**
   * Removes and returns an item, waiting for one if the queue is empty. Mirrors `await queue.get()`.
   * Rejects with {@link QueueShutDown} if the queue is shut down and empty, with the signal's reason if
   * `signal` aborts, or a TimeoutError after `timeout` ms (no item is taken then).
   */
  async get(options?: WaitOptions): Promise<T> {
    const wait = parseWait(options, `${this.constructor.name}.get`);
    for (;;) {
      if (this.#available() > 0) return this.#take();
      if (this.#shutdown) throw new QueueShutDown(`${this.constructor.name} is shut down and empty.`);
      const waiter = this.#getters.add(wait);
      let reserved: boolean;
      try {
        reserved = await waiter.promise;
      } catch (error) {
        this.#wakeGetters();
        throw error;
      }
      this.#getters.remove(waiter);
      if (reserved) this.#getReserved--;
      if (resumedAborted(wait)) {
        this.#wakeGetters(); // the item we were promised goes to the next getter
        throw wait.signal?.reason;
      }
    }
  }

  /**
   * Marks one item taken earlier as processed. Throws {@link InvalidStateError} if called more often than
   * items were put (Python's ValueError "task_done() called too many times"). Mirrors `Queue.task_done()`.
   */
  taskDone(): void {
    if (this.#unfinished <= 0) throw new InvalidStateError(`${this.constructor.name}.taskDone() called too many times.`);
    this.#unfinished--;
    if (this.#unfinished === 0) this.#finished.set();
  }

  /**
   * Waits until every item put has been marked done with `taskDone()`. Mirrors `await queue.join()`;
   * takes `{ signal, timeout }`.
   */
  async join(options?: WaitOptions): Promise<void> {
    const wait = parseWait(options, `${this.constructor.name}.join`);
    if (this.#unfinished > 0) await this.#finished.wait({ signal: wait.signal, timeout: wait.timeout });
  }

  /**
   * Shuts the queue down (Python 3.13's `Queue.shutdown(immediate=False)`): `put`/`putNowait` throw
   * {@link QueueShutDown} from now on; `get` returns the remaining items and then throws it; every blocked
   * putter and (once the queue is empty) getter is woken with it. With `immediate`, the remaining items are
   * discarded and counted as done, so `join()` returns.
   */
  shutdown(immediate = false): void {
    if (typeof immediate !== "boolean") {
      throw new InvalidArgumentError(`${this.constructor.name}.shutdown: immediate must be true or false, got ${describe(immediate)}.`);
    }
    this.#shutdown = true;
    if (immediate) {
      while (!this.empty()) {
        this._get();
        if (this.#unfinished > 0) this.#unfinished--;
      }
      if (this.#unfinished === 0) this.#finished.set();
    }
    this.#getters.wakeAll(false);
    this.#putters.wakeAll(false);
  }

  /** True once `shutdown()` was called. */
  get isShutdown(): boolean {
    return this.#shutdown;
  }

  get [Symbol.toStringTag](): string {
    return this.constructor.name;
  }
}

/** Orders items like Python does for heapq: numbers, bigints, strings, and arrays (tuples) element-wise. */
function pythonOrder(a: unknown, b: unknown): number {
  const numeric = (v: unknown): boolean => typeof v === "number" || typeof v === "bigint" || typeof v === "boolean";
  if ((numeric(a) && numeric(b)) || (typeof a === "string" && typeof b === "string")) {
    const x = a as number, y = b as number;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (a[i] === b[i]) continue;
      const c = pythonOrder(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  throw new InvalidArgumentError(
    `PriorityQueue cannot order ${describe(a)} and ${describe(b)}: put numbers, strings or [priority, item] arrays, ` +
      "or pass a compare function: new PriorityQueue(maxsize, (a, b) => a.priority - b.priority).",
  );
}

interface Entry<T> {
  readonly item: T;
  readonly seq: number;
}

/**
 * This is asyncio's PriorityQueue (one event loop); for a queue shared between processes use multiprocessing.Queue.
 *
 * Mirrors Python's `asyncio.PriorityQueue`: a {@link Queue} that returns the smallest item first. Items are
 * ordered as Python orders them — numbers, strings, and arrays element-wise, so `[priority, data]` works like
 * Python's `(priority, data)` tuples — or by `compare(a, b)` (negative: a first). Items that cannot be ordered
 * make `put` throw an InvalidArgumentError and leave the queue unchanged (Python: TypeError). Unlike Python's
 * heap, equal items come out in insertion order (stable).
 */
export class PriorityQueue<T> extends Queue<T> {
  #heap: Entry<T>[] = [];
  #seq = 0;
  readonly #compare: (a: T, b: T) => number;

  constructor(maxsize = 0, compare?: (a: T, b: T) => number) {
    if (compare !== undefined && typeof compare !== "function") {
      throw new InvalidArgumentError(`PriorityQueue: compare must be a function (a, b) => number, got ${describe(compare)}.`);
    }
    super(maxsize);
    this.#compare = compare ?? pythonOrder;
  }

  #less(a: Entry<T>, b: Entry<T>): boolean {
    const c = this.#compare(a.item, b.item);
    if (typeof c !== "number" || Number.isNaN(c)) {
      throw new InvalidArgumentError(`PriorityQueue: compare must return a number, got ${describe(c)}.`);
    }
    return c < 0 || (c === 0 && a.seq < b.seq);
  }

  /** @internal Finds the final slot first (comparisons may throw), then moves: a throwing compare changes nothing. */
  protected override _put(item: T): void {
    const heap = this.#heap;
    const entry = { item, seq: this.#seq };
    let i = heap.length;
    const path: number[] = [];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(entry, heap[parent] as Entry<T>)) break;
      path.push(parent);
      i = parent;
    }
    this.#seq++;
    let hole = heap.length;
    heap.push(entry);
    for (const parent of path) {
      heap[hole] = heap[parent] as Entry<T>;
      hole = parent;
    }
    heap[hole] = entry;
  }

  /** @internal */
  protected override _get(): T {
    const heap = this.#heap;
    const top = heap[0] as Entry<T>;
    const last = heap[heap.length - 1] as Entry<T>;
    const n = heap.length - 1;
    // Plan the sift-down of `last` first, so a throwing compare leaves the heap intact.
    const moves: number[] = [];
    let hole = 0;
    for (;;) {
      const left = 2 * hole + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.#less(heap[right] as Entry<T>, heap[left] as Entry<T>) ? right : left;
      if (!this.#less(heap[child] as Entry<T>, last)) break;
      moves.push(child);
      hole = child;
    }
    heap.pop();
    if (n > 0) {
      let at = 0;
      for (const child of moves) {
        heap[at] = heap[child] as Entry<T>;
        at = child;
      }
      heap[at] = last;
    }
    return top.item;
  }

  /** @internal */
  protected override _qsize(): number {
    return this.#heap.length;
  }
}

/**
 * This is asyncio's LifoQueue (one event loop); for a queue shared between processes use multiprocessing.Queue.
 *
 * Mirrors Python's `asyncio.LifoQueue`: a {@link Queue} that returns the most recently added item first.
 */
export class LifoQueue<T> extends Queue<T> {
  #stack: T[] = [];

  /** @internal */
  protected override _put(item: T): void {
    this.#stack.push(item);
  }

  /** @internal */
  protected override _get(): T {
    return this.#stack.pop() as T;
  }

  /** @internal */
  protected override _qsize(): number {
    return this.#stack.length;
  }
}
