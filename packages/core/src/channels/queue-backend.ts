/**
 * Where a {@link Queue}'s items are, as the Queue class (queue.ts) sees them: on this side, in the
 * owner's store ({@link LocalQueue}), or with the owner in another realm, reached through this
 * worker's channel client ({@link RemoteQueue}). The Queue class checks the caller's arguments and
 * is Python's API; a backend carries out the checked operation. One class over two backends keeps
 * the owner's queue and a worker's handle from drifting apart, as two near-twin classes did.
 */
import { checkCrossing } from "../codec/graph.js";
import { channelClient } from "./client.js";
import type { ChannelSize } from "./messages.js";
import { channelKey, registerChannel, type ChannelAddress } from "./registry.js";
import { ChannelStore, type NOTHING } from "./store.js";
import type { ParsedWait as Wait } from "../asyncio/waiters.js";

/** What a Queue's handle carries to a worker: where the queue is found (id and token) and its bound. */
export interface QueueState extends ChannelAddress {
  readonly maxsize: number;
}

/** One queue's operations, with their arguments already checked. */
export interface QueueBackend<T> {
  /** The bound (0: unbounded). */
  readonly maxsize: number;
  /** The owner's store, on the side that created the queue; undefined in a worker. */
  readonly store: ChannelStore<T> | undefined;
  put(item: T, wait: Wait): Promise<void>;
  get(wait: Wait): Promise<T>;
  /** The oldest item at once, when one is at hand and nobody waits ahead; else NOTHING. */
  takeNow(): T | typeof NOTHING;
  qsize(): Promise<number>;
  close(): Promise<void>;
  /** Resolves once every put this side made has reached the owner's store. */
  joinThread(): Promise<void>;
  taskDone(): void;
  join(wait: Wait): Promise<void>;
  /** What the queue's handle carries; the owner registers the queue (as `owner`) the first time. */
  state(owner: object): QueueState;
}

/** The owner's side: the items are in this realm's store; nothing waits for a message. */
export class LocalQueue<T> implements QueueBackend<T> {
  readonly store: ChannelStore<T>;
  #address: ChannelAddress | undefined;

  constructor(maxsize: number) {
    this.store = new ChannelStore<T>(maxsize, "Queue");
  }

  get maxsize(): number {
    return this.store.maxsize;
  }

  put(item: T, wait: Wait): Promise<void> {
    // Refused here, as Python's pickling refuses, rather than failing a consumer's get later.
    // "thread" is the most any worker accepts; what only a process cannot receive fails that one get.
    checkCrossing(item, "thread", "the item put");
    return this.store.put(item, wait);
  }

  get(wait: Wait): Promise<T> {
    return this.store.get(wait);
  }

  takeNow(): T | typeof NOTHING {
    return this.store.takeNow();
  }

  async qsize(): Promise<number> {
    return this.store.qsize();
  }

  async close(): Promise<void> {
    this.store.close();
  }

  // Puts made here are in the store as soon as put() returns.
  async joinThread(): Promise<void> {}

  taskDone(): void {
    this.store.taskDone(1, false);
  }

  join(wait: Wait): Promise<void> {
    return new Promise((resolve, reject) => this.store.join(wait, resolve, reject));
  }

  state(owner: object): QueueState {
    this.#address ??= registerChannel({ owner, store: this.store as ChannelStore<unknown> });
    return { ...this.#address, maxsize: this.store.maxsize };
  }
}

/**
 * A worker's side: every operation names the queue by id and token to the owner, through this
 * worker's channel client (client.ts: puts batched within credit, gets prefetched). The owner
 * refuses any pair it did not hand out (UnknownHandleError), so one built from a made-up state
 * reaches nothing. Outside a weft worker each operation fails with the client's InvalidStateError.
 */
export class RemoteQueue<T> implements QueueBackend<T> {
  readonly store = undefined;
  readonly maxsize: number;
  readonly #state: QueueState;
  /** The queue's key in messages (id and token). */
  readonly #key: string;

  constructor(state: QueueState) {
    this.#state = { id: state.id, token: state.token, maxsize: state.maxsize };
    this.#key = channelKey(this.#state);
    this.maxsize = state.maxsize;
  }

  put(item: T, wait: Wait): Promise<void> {
    return channelClient().put(this.#key, item, wait);
  }

  get(wait: Wait): Promise<T> {
    return channelClient().get(this.#key, wait) as Promise<T>;
  }

  takeNow(): T | typeof NOTHING {
    return channelClient().takeNow(this.#key) as T | typeof NOTHING;
  }

  async qsize(): Promise<number> {
    return ((await channelClient().ask(this.#key, "size")) as ChannelSize).qsize;
  }

  async close(): Promise<void> {
    await channelClient().ask(this.#key, "close");
  }

  async joinThread(): Promise<void> {
    await channelClient().ask(this.#key, "sync");
  }

  taskDone(): void {
    channelClient().taskDone(this.#key, 1);
  }

  join(wait: Wait): Promise<void> {
    return channelClient().join(this.#key, wait);
  }

  state(): QueueState {
    return this.#state;
  }
}
