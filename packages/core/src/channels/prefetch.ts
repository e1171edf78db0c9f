/**
 * A worker's gets from a queue that lives with its owner: a get fetches several items when the
 * worker takes them quickly (at most the number it took in the last few milliseconds), keeps
 * them here, and tells the owner which ones it took. The owner may recall the ones not taken
 * (another side waits, or the queue closed); if the worker dies, the owner puts them back
 * itself. So that an item this worker's code received is not delivered again after its death,
 * a thread worker counts its takes in memory it shares with the owner (the owner reads it when
 * the worker dies), and a process worker tells the owner at least every
 * {@link REPORT_TAKES_EVERY} takes, without waiting for the end of its turn.
 */
import { AbortError, TimeoutError } from "../errors.js";
import { deserializeError } from "../codec/thrown.js";
import { callAt, now, onAbort } from "../asyncio/internal.js";
import { type Channel, type ClientWait, Poisoned, type Taker } from "./channel-state.js";
import type { ChannelReplyOp } from "./messages.js";
import type { OpLink } from "./op-link.js";
import { NOTHING } from "./store.js";

/**
 * Where takes are not counted in shared memory (process workers), the owner hears of them at
 * least this often, so that a worker dying in the middle of a batch it received makes at most
 * this many items it had taken be delivered again. 256: main → process through a Queue ran at
 * 2.3–3.2M items/s with this report, with one every 1,024 takes, and with none (alternated runs
 * of apps/bench, one sitting); a message per take cost 16×.
 */
export const REPORT_TAKES_EVERY = 256;

/** A batch of at least this many items asks for the next one as it arrives (see `arrived`). */
const AHEAD_FROM = 64;

/** A worker that took its last items within this many ms asks for twice as many next time. */
const QUICK_MS = 2;

export class Prefetch {
  constructor(
    private readonly link: OpLink,
    private readonly batchSize: number,
  ) {}

  /** An item for this worker's code: at once when one was fetched and nobody here waits ahead, else when it arrives. */
  get(channel: Channel, wait: ClientWait): Promise<unknown> {
    if (channel.takers.length === 0 && channel.head < channel.buffer.length) {
      const value = this.#take(channel);
      return value instanceof Poisoned ? Promise.reject(value.error) : Promise.resolve(value);
    }
    return new Promise((resolve, reject) => {
      const taker: Taker = { resolve, reject, cleanup: () => {} };
      const cleanups: (() => void)[] = [];
      if (wait.timeout !== null) {
        const ms = wait.timeout;
        cleanups.push(callAt(now() + ms, () => this.#leave(channel, taker, new TimeoutError(`Queue.get() timed out after ${ms} ms.`))));
      }
      if (wait.signal) {
        const signal = wait.signal;
        cleanups.push(onAbort(signal, () => this.#leave(channel, taker, signal.reason ?? new AbortError())));
      }
      taker.cleanup = () => cleanups.forEach((c) => c());
      channel.takers.push(taker);
      this.#fetch(channel);
    });
  }

  /** An item fetched and not taken yet, at once, when nobody here waits ahead; else NOTHING. */
  takeNow(channel: Channel | undefined): unknown {
    if (!channel || channel.takers.length > 0 || channel.head >= channel.buffer.length) return NOTHING;
    // A poisoned item is taken by get(), which rejects with its error.
    if (channel.buffer[channel.head] instanceof Poisoned) return NOTHING;
    return this.#take(channel);
  }

  /** The answer to a get: items, some maybe replaced by the error that fails their take. */
  arrived(channel: Channel, id: number, values: unknown[], poison: Extract<ChannelReplyOp, { op: "items" }>["poison"]): void {
    if (channel.fetching === id) channel.fetching = undefined;
    channel.arrivedAt = now();
    const first = channel.buffer.length;
    for (const value of values) channel.buffer.push(value);
    if (poison) for (const { index, error } of poison) channel.buffer[first + index] = new Poisoned(deserializeError(error));
    this.#serveTakers(channel);
    // A big batch: the consumer here takes quickly. Ask for the next one now, so that the owner
    // sends it while this one is taken, instead of after (one round trip less per batch).
    if (values.length >= AHEAD_FROM && channel.fetching === undefined && !channel.closed && channel.buffer.length - channel.head <= channel.want) {
      this.#fetchAhead(channel);
    }
    if (channel.head < channel.buffer.length) this.link.schedule();
  }

  /**
   * What this channel owes the owner before a message leaves: at the end of a turn with nobody
   * taking, the untaken items go back (this worker's consumer has stopped taking quickly, and
   * another side may want them); otherwise a report of the takes.
   */
  beforeSend(channel: Channel, endOfTurn: boolean): void {
    if (endOfTurn && channel.takers.length === 0 && channel.head < channel.buffer.length) {
      this.giveBack(channel, false);
    } else if (channel.took > 0) {
      this.link.push({ op: "took", channel: channel.id, count: channel.took });
      channel.took = 0;
    }
  }

  /** Gives back the untaken items (and, when recalled, the unused credit). */
  giveBack(channel: Channel, withCredit: boolean): void {
    const returned = channel.buffer.length - channel.head;
    channel.buffer = [];
    channel.head = 0;
    const credit = withCredit ? channel.credit : 0;
    this.link.push({ op: "release", channel: channel.id, took: channel.took, returned, credit });
    channel.took = 0;
    channel.credit -= credit;
  }

  #fetch(channel: Channel): void {
    if (channel.fetching !== undefined || channel.takers.length === 0) return;
    const quick = now() - channel.arrivedAt < QUICK_MS;
    channel.want = quick ? Math.min(this.batchSize, channel.want * 2) : Math.max(1, channel.want >> 1);
    channel.want = Math.max(channel.want, channel.takers.length);
    this.#sendGet(channel, false);
  }

  /** Asks the owner for `channel.want` items; `ahead`: a prefetch it answers at once (see messages.ts). */
  #sendGet(channel: Channel, ahead: boolean): void {
    const id = this.link.newRequest();
    channel.fetching = id;
    this.link.pending.set(id, {
      channel,
      resolve: (values) => this.arrived(channel, id, values as unknown[], undefined),
      reject: (error) => this.#fetchFailed(channel, id, error),
    });
    this.link.push({ op: "get", channel: channel.id, request: id, want: channel.want, timeout: null, ...(ahead ? { ahead } : {}) });
    this.link.flush();
  }

  /** It follows a big batch: the consumer keeps up, so the batches may grow (up to batchSize). */
  #fetchAhead(channel: Channel): void {
    channel.want = Math.min(this.batchSize, channel.want * 2);
    this.#sendGet(channel, true);
  }

  #fetchFailed(channel: Channel, id: number, error: unknown): void {
    if (channel.fetching === id) channel.fetching = undefined;
    if ((error as Error)?.name === "AbortError") {
      this.#fetch(channel); // withdrawn when its takers left; newer takers need a new one
      return;
    }
    for (const taker of channel.takers.splice(0)) {
      taker.cleanup();
      taker.reject(error);
    }
  }

  #serveTakers(channel: Channel): void {
    while (channel.takers.length > 0 && channel.head < channel.buffer.length) {
      const taker = channel.takers.shift()!;
      taker.cleanup();
      const value = this.#take(channel);
      if (value instanceof Poisoned) taker.reject(value.error);
      else taker.resolve(value);
    }
    if (channel.takers.length > 0) this.#fetch(channel);
  }

  #take(channel: Channel): unknown {
    const value = channel.buffer[channel.head];
    channel.buffer[channel.head++] = undefined;
    if (channel.head === channel.buffer.length) {
      channel.buffer = [];
      channel.head = 0;
    }
    channel.took++;
    channel.handed++;
    if (channel.takes) Atomics.store(channel.takes, 0, channel.handed);
    else if (channel.took >= REPORT_TAKES_EVERY) {
      this.link.push({ op: "took", channel: channel.id, count: channel.took });
      channel.took = 0;
      this.link.flush();
    }
    this.link.schedule();
    return value;
  }

  #leave(channel: Channel, taker: Taker, error: unknown): void {
    const i = channel.takers.indexOf(taker);
    if (i < 0) return;
    channel.takers.splice(i, 1);
    taker.cleanup();
    taker.reject(error);
    if (channel.takers.length === 0 && channel.fetching !== undefined) {
      // Nobody here wants an item now: withdraw the request (what already left comes back later).
      this.link.push({ op: "cancel", request: channel.fetching });
      this.link.flush();
    }
  }
}
