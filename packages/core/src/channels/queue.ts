/**
 * multiprocessing's Queue: a FIFO shared by the caller and any number of threads and processes,
 * many producers and many consumers. The items live on the side that created the queue (its
 * owner); workers reach it through messages to their parent, so it works the same for threads and
 * processes, on every runtime. Everything that crosses is copied (structured clone).
 *
 * A worker does not pay a round trip per item: its puts travel in batches, ahead of any answer,
 * within the room the owner promised it (its credit), and its gets fetch several items when it
 * takes them quickly. See {@link Queue} for what that means for `qsize()` and for `close()`.
 *
 * This is multiprocessing's Queue; for a queue on one event loop use `asyncio.Queue`.
 */
import { InvalidArgumentError, InvalidStateError } from "../errors.js";
import { QueueShutDown } from "../asyncio/errors.js";
import { checkOptions, describe } from "../asyncio/internal.js";
import { parseWait } from "../asyncio/waiters.js";
import { SHARED_HANDLE, registerSharedType, type SharedDescriptor } from "../shared-handle.js";
import { LocalQueue, RemoteQueue, type QueueBackend, type QueueState } from "./queue-backend.js";
import { channelKey, lookupChannel } from "./registry.js";
import { type ChannelStore, NOTHING } from "./store.js";

/** Options of a waiting channel operation. */
export interface ChannelWaitOptions {
  /** Aborting it withdraws the waiting put/get; an item is never taken for a withdrawn get. */
  readonly signal?: AbortSignal;
  /** Milliseconds to wait at most, then a TimeoutError (Python raises queue.Full / queue.Empty). */
  readonly timeout?: number | null;
}

/** Options of `new Queue(...)`. */
export interface QueueOptions {
  /** The most items the queue holds; 0 (the default) or Infinity means unbounded, as in Python. */
  readonly maxsize?: number;
}

/** What a queue offers on every side (the owner's object and a worker's proxy alike). */
export interface ChannelQueue<T> extends AsyncIterable<T> {
  /** Adds an item, waiting while the queue is full. Rejects with QueueShutDown once closed. */
  put(item: T, options?: ChannelWaitOptions): Promise<void>;
  /** Takes the oldest item, waiting while empty. Rejects with QueueShutDown once closed and drained. */
  get(options?: ChannelWaitOptions): Promise<T>;
  /** Items put and not yet taken, approximately (see {@link Queue}). Python's `qsize()`. */
  qsize(): Promise<number>;
  /** `qsize() === 0`, approximately. Python's `empty()`. */
  empty(): Promise<boolean>;
  /** `qsize() >= maxsize` for a bounded queue, approximately. Python's `full()`. */
  full(): Promise<boolean>;
  /** Same as {@link qsize} (kept from weft's first channel API). */
  size(): Promise<number>;
  /** No more puts, from anyone; gets drain what is left, then reject with QueueShutDown; iteration ends. */
  close(): Promise<void>;
  /** Resolves once every put this side made has reached the owner. Python's `join_thread()`. */
  joinThread(): Promise<void>;
  /** Does nothing: weft never drops puts that already resolved (see {@link Queue}). Python's `cancel_join_thread()`. */
  cancelJoinThread(): void;
  /**
   * Marks one item taken earlier as processed (Python's `JoinableQueue.task_done()`). Too many
   * calls throw InvalidStateError on the owner's side; a worker's too many make the next `join()` reject with it.
   */
  taskDone(): void;
  /** Waits until every item put was marked done with `taskDone()` (Python's `JoinableQueue.join()`). */
  join(options?: ChannelWaitOptions): Promise<void>;
}

const TYPE = "weft.channel.Queue";

export type { QueueState } from "./queue-backend.js";

/**
 * @internal The oldest item at once, when one is at hand and nobody waits ahead, else NOTHING:
 * what lets an iteration hand out a ready item without the extra promise of `get().then()`.
 */
export const TAKE_NOW: unique symbol = Symbol("weft.takeNow");

/** A queue whose iteration can take ready items at once (a Queue, on either side). */
interface TakesNow<T> {
  [TAKE_NOW]?(): T | typeof NOTHING;
}

/** Checks a queue's bound, given as a number or as { maxsize }; 0 means unbounded. */
export function parseMaxsize(options: unknown, where = "new multiprocessing.Queue()"): number {
  let maxsize: unknown = options;
  if (options === undefined) return 0;
  if (typeof options === "object" && options !== null && !Array.isArray(options)) {
    checkOptions(options, ["maxsize"], where);
    maxsize = (options as QueueOptions).maxsize ?? 0;
  } else if (typeof options !== "number") {
    throw new InvalidArgumentError(`${where}: pass maxsize as a number (Queue(2)) or as { maxsize: 2 }, got ${describe(options)}.`);
  }
  if (maxsize === Infinity) return 0;
  if (typeof maxsize !== "number" || !Number.isInteger(maxsize) || maxsize < 0) {
    throw new InvalidArgumentError(`${where}: maxsize must be an integer ≥ 0 (0 or Infinity: unbounded), got ${describe(maxsize)}.`);
  }
  return maxsize;
}

/**
 * multiprocessing's Queue. Create it on the main side and pass it to Threads, Processes and pool
 * tasks as an ordinary argument; `for await (const item of queue)` reads until it is closed and
 * drained. `new Queue(2)` and `new Queue({ maxsize: 2 })` both bound it to 2 items, as Python's
 * `Queue(2)` does.
 *
 * How it differs from Python, and how exact it is:
 * - `qsize()`, `empty()` and `full()` are approximate, as in Python: they count the items on the
 *   owner's side plus those handed to a worker that has not yet said it took them; a worker's
 *   puts count once they arrive (within that worker's current turn of its event loop). For a
 *   bounded queue, `maxsize` is exact: room a worker was promised for puts in flight is held for
 *   it, and a worker that does not use it gives it back as soon as another side waits for room.
 * - A worker's `put` resolves as soon as the item is in its outgoing batch (as Python's returns
 *   once the item is in the feeder thread's buffer); the batch leaves at the end of the worker's
 *   turn of its event loop. A worker stopped before then (run timeout, terminate(), a kill)
 *   loses that turn's puts, as a killed Python process loses what its feeder had not flushed;
 *   `await joinThread()` makes every earlier put durable. Each producer's items arrive in the
 *   order it put them; items of different producers interleave. A task's result is sent after
 *   what it put.
 * - A put of a value that cannot cross to a worker (a function, an object with a method) rejects
 *   with DataCloneError; an item only a process cannot receive (a SharedArrayBuffer) fails that
 *   process's get with DataCloneError. Room a worker holds as credit is taken back by a put that
 *   finds the queue not full.
 * - `close()` closes the queue for every side (like Python 3.13's `Queue.shutdown()`), not only
 *   for the caller as Python's `close()` does: later puts reject with QueueShutDown, gets drain
 *   what is left — including puts already on their way — then reject with QueueShutDown.
 * - `joinThread()` resolves once this side's puts have reached the owner's store;
 *   `cancelJoinThread()` does nothing, because a worker that ends normally sends its puts before
 *   its task's result, and before it exits.
 * - An item a worker fetched but did not take goes back to the queue, in its place, when the
 *   worker dies or when another side waits for an item. An item a worker's code took is not
 *   delivered again after it dies, but for at most one on a thread (the take in the instant of
 *   its death) and at most 256 on a process (it reports its takes every 256).
 * - A worker reaches only the queues it was handed (as an argument, or inside a value it
 *   received), as in Python: the handle it gets carries the queue's id and a 128-bit random
 *   token, and the owner refuses any other pair with UnknownHandleError, so a handle rebuilt from
 *   a guessed or changed id reaches nothing.
 * - What a worker receives is a Queue too, over its owner's items (its operations travel to the
 *   owner): every method works there as here, but for `length` and `closed`, which only the
 *   owner knows without asking; in a worker they throw InvalidStateError.
 *
 * @example
 * ```ts
 * const queue = new Queue<number>(100);
 * const producer = new Process({ module, target: "produce", args: [queue] }).start();
 * for await (const item of queue) console.log(item); // until the producer calls queue.close()
 * ```
 */
export class Queue<T> implements ChannelQueue<T> {
  readonly #backend: QueueBackend<T>;

  /** `maxsize` 0 (the default) means unbounded, as in Python. */
  constructor(maxsize?: number | QueueOptions) {
    // A RemoteQueue comes only from WorkerQueue below (no entry exports either): a worker's queue
    // over its owner's items. Anything else is the bound, checked.
    this.#backend = maxsize instanceof RemoteQueue ? (maxsize as RemoteQueue<T>) : new LocalQueue<T>(parseMaxsize(maxsize));
  }

  /** The bound given to the constructor (0: unbounded). */
  get maxsize(): number {
    return this.#backend.maxsize;
  }

  put(item: T, options?: ChannelWaitOptions): Promise<void> {
    try {
      return this.#backend.put(item, parseWait(options as never, "Queue.put"));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  get(options?: ChannelWaitOptions): Promise<T> {
    try {
      return this.#backend.get(parseWait(options as never, "Queue.get"));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  qsize(): Promise<number> {
    return this.#backend.qsize();
  }

  async empty(): Promise<boolean> {
    return (await this.#backend.qsize()) === 0;
  }

  async full(): Promise<boolean> {
    return this.#backend.maxsize > 0 && (await this.#backend.qsize()) >= this.#backend.maxsize;
  }

  size(): Promise<number> {
    return this.qsize();
  }

  /**
   * The number of items waiting, without a promise. Only the side that created the queue knows
   * it; in a worker it throws InvalidStateError (use `await qsize()` there).
   */
  get length(): number {
    return this.#ownersStore("length").qsize();
  }

  /**
   * Whether `close()` was called, without a promise. Only the side that created the queue knows
   * it; in a worker it throws InvalidStateError (there a get or put rejects with QueueShutDown).
   */
  get closed(): boolean {
    return this.#ownersStore("closed").closed;
  }

  close(): Promise<void> {
    return this.#backend.close();
  }

  joinThread(): Promise<void> {
    return this.#backend.joinThread();
  }

  cancelJoinThread(): void {}

  taskDone(): void {
    this.#backend.taskDone();
  }

  join(options?: ChannelWaitOptions): Promise<void> {
    try {
      return this.#backend.join(parseWait(options as never, "Queue.join"));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return iterate(this);
  }

  /** @internal */
  [TAKE_NOW](): T | typeof NOTHING {
    return this.#backend.takeNow();
  }

  [SHARED_HANDLE](): SharedDescriptor {
    return { type: TYPE, state: this.#backend.state(this), crossesProcesses: true };
  }

  #ownersStore(what: string): ChannelStore<T> {
    const store = this.#backend.store;
    if (!store) {
      throw new InvalidStateError(`Queue.${what}: only the side that created the queue knows it without asking; in a worker, use await queue.qsize().`);
    }
    return store;
  }
}

/**
 * Python's `multiprocessing.JoinableQueue`: weft's {@link Queue} already has `taskDone()` and
 * `join()`; this name is for code ported from Python.
 */
export class JoinableQueue<T> extends Queue<T> {}

/**
 * Reads until the channel is closed and drained. A plain iterator, not an async generator: each
 * item costs one get() and one then(), where a generator (and the delegating generators of the
 * classes' [Symbol.asyncIterator]) added several promise turns per item, a large part of a
 * consumer's time in the channel benchmark.
 */
export function iterate<T>(queue: Pick<ChannelQueue<T>, "get"> & TakesNow<T>): AsyncIterableIterator<T> {
  let finished = false;
  const end = (): IteratorReturnResult<undefined> => {
    finished = true;
    return { value: undefined, done: true };
  };
  const takeNow = queue[TAKE_NOW]?.bind(queue);
  const iterator: AsyncIterableIterator<T> = {
    next: () => {
      if (finished) return Promise.resolve(end());
      if (takeNow) {
        let value: T | typeof NOTHING = NOTHING;
        try {
          value = takeNow();
        } catch {
          // get() below fails the same way, as a rejection (a proxy outside its worker).
        }
        if (value !== NOTHING) return Promise.resolve({ value, done: false });
      }
      return queue.get().then(
        (value): IteratorResult<T> => ({ value, done: false }),
        (error: unknown) => {
          if (error instanceof QueueShutDown || (error as Error)?.name === "QueueShutDown") return end();
          finished = true;
          throw error;
        },
      );
    },
    // Leaving a for await loop early (break, throw) ends the iteration, as a generator's would.
    return: () => Promise.resolve(end()),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/**
 * @internal A worker's Queue over the items of a queue that lives with its parent: what a handle
 * revives to in a worker (exported for tests). All of it is Queue's; only its constructor differs,
 * taking a handle's state. Its operations name the queue by id and token; the owner refuses any
 * pair it did not hand out (UnknownHandleError), so one built from a made-up state reaches nothing.
 */
export class WorkerQueue<T> extends Queue<T> {
  constructor(state: QueueState) {
    super(new RemoteQueue<T>(state) as never);
  }
}

registerSharedType(TYPE, (state) => {
  const { id, token, maxsize } = state as Partial<QueueState>;
  if (typeof id !== "string" || typeof token !== "string") {
    throw new TypeError("A Queue handle arrived without its id and token; it was not sent by this version of weft.");
  }
  const address = { id, token, maxsize: maxsize ?? 0 };
  // Back on the side that created it (e.g. returned by a task), it is the queue itself.
  return lookupChannel(channelKey(address))?.owner ?? new WorkerQueue(address);
});
