/**
 * multiprocessing's Queue: a bounded FIFO shared by the caller and any number of threads and
 * processes, many producers and many consumers. The items live on the side that created the
 * queue; workers reach it through messages to their parent (as Python's Manager proxies do), so
 * it works the same for threads and processes, on every runtime. Everything that crosses is
 * copied (structured clone).
 *
 * This is multiprocessing's Queue; for a queue on one event loop use `asyncio.Queue`.
 */
import { Queue as LoopQueue } from "../asyncio/queue.js";
import { QueueShutDown } from "../asyncio/errors.js";
import { SHARED_HANDLE, registerSharedType, type SharedDescriptor } from "../shared-handle.js";
import { channelClient } from "./client.js";
import { registerChannel, lookupChannel } from "./registry.js";

/** Options of a waiting channel operation. */
export interface ChannelWaitOptions {
  /** Aborting it withdraws the waiting put/get; an item is never taken for a withdrawn get. */
  readonly signal?: AbortSignal;
  /** Milliseconds to wait at most, then a TimeoutError. */
  readonly timeout?: number | null;
}

/** What a queue offers on every side (the creator's object and a worker's proxy alike). */
export interface ChannelQueue<T> extends AsyncIterable<T> {
  /** Adds an item, waiting while the queue is full. Rejects with QueueShutDown once closed. */
  put(item: T, options?: ChannelWaitOptions): Promise<void>;
  /** Takes the oldest item, waiting while empty. Rejects with QueueShutDown once closed and drained. */
  get(options?: ChannelWaitOptions): Promise<T>;
  /** Items waiting now. */
  size(): Promise<number>;
  /** No more puts; gets drain what is left, then reject with QueueShutDown; iteration ends. */
  close(): Promise<void>;
}

const TYPE = "weft.channel.Queue";

/**
 * multiprocessing's Queue. Create it on the main side and pass it to Threads, Processes and pool
 * tasks as an ordinary argument; `for await (const item of queue)` reads until it is closed and
 * drained.
 *
 * @example
 * ```ts
 * const queue = new Queue<number>({ maxsize: 100 });
 * const producer = new Process({ module, target: "produce", args: [queue] }).start();
 * for await (const item of queue) console.log(item); // until the producer calls queue.close()
 * ```
 */
export class Queue<T> implements ChannelQueue<T> {
  readonly #items: LoopQueue<T>;
  #id: string | undefined;

  /** `maxsize` 0 (the default) means unbounded, as in Python. */
  constructor(options: { readonly maxsize?: number } = {}) {
    this.#items = new LoopQueue<T>(options.maxsize ?? 0);
  }

  put(item: T, options?: ChannelWaitOptions): Promise<void> {
    return this.#items.put(item, options);
  }

  get(options?: ChannelWaitOptions): Promise<T> {
    return this.#items.get(options);
  }

  async size(): Promise<number> {
    return this.#items.qsize();
  }

  /** The number of items waiting, without a promise (only on the side that created the queue). */
  get length(): number {
    return this.#items.qsize();
  }

  get closed(): boolean {
    return this.#items.isShutdown;
  }

  async close(): Promise<void> {
    this.#items.shutdown(false);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* iterate(this);
  }

  [SHARED_HANDLE](): SharedDescriptor {
    this.#id ??= registerChannel(this);
    return { type: TYPE, state: { id: this.#id }, crossesProcesses: true };
  }
}

/** Reads until the channel is closed and drained. */
export async function* iterate<T>(queue: Pick<ChannelQueue<T>, "get">): AsyncGenerator<T> {
  for (;;) {
    try {
      yield await queue.get();
    } catch (error) {
      if (error instanceof QueueShutDown || (error as Error)?.name === "QueueShutDown") return;
      throw error;
    }
  }
}

/** A worker's handle on a Queue that lives with its parent. */
class QueueProxy<T> implements ChannelQueue<T> {
  readonly #id: string;

  constructor(id: string) {
    this.#id = id;
  }

  put(item: T, options?: ChannelWaitOptions): Promise<void> {
    return channelClient().request(this.#id, "put", item, options) as Promise<void>;
  }

  get(options?: ChannelWaitOptions): Promise<T> {
    return channelClient().request(this.#id, "get", undefined, options) as Promise<T>;
  }

  size(): Promise<number> {
    return channelClient().request(this.#id, "size") as Promise<number>;
  }

  async close(): Promise<void> {
    await channelClient().request(this.#id, "close");
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* iterate(this);
  }

  [SHARED_HANDLE](): SharedDescriptor {
    return { type: TYPE, state: { id: this.#id }, crossesProcesses: true };
  }
}

registerSharedType(TYPE, (state) => {
  const { id } = state as { id: string };
  // Back on the side that created it (e.g. returned by a task), it is the queue itself.
  return lookupChannel(id) ?? new QueueProxy(id);
});
