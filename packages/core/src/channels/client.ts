/**
 * The worker's side of channels: it speaks for every queue that lives with the parent.
 *
 * - A put travels without waiting for an answer while the worker holds credit (room the owner
 *   promised it); puts made in one turn of the event loop travel in one message. Without credit,
 *   the put waits for the owner's answer, which brings more credit.
 * - A get fetches several items when the worker takes them quickly (at most the number it took
 *   in the last few milliseconds), keeps them here, and tells the owner which ones it took. The
 *   owner may recall the ones not taken (another side waits, or the queue closed); if the worker
 *   dies, the owner puts them back itself. So that an item this worker's code received is not
 *   delivered again after its death, a thread worker counts its takes in memory it shares with
 *   the owner (the owner reads it when the worker dies), and a process worker tells the owner at
 *   least every {@link REPORT_TAKES_EVERY} takes, without waiting for the end of its turn.
 * - A put is checked where it is made: a value that cannot cross from this worker rejects that
 *   put with DataCloneError and never enters a batch. An item the owner cannot send to this
 *   worker fails the one get that would have taken it (see host.ts).
 *
 * `serveWorker` installs the client; a proxy used outside a weft worker gets a clear error.
 */
import { AbortError, DataCloneError, InvalidStateError, TimeoutError, transportRefusal } from "../errors.js";
import { deserializeError } from "../codec/thrown.js";
import { checkCrossing } from "../codec/graph.js";
import { QueueShutDown } from "../asyncio/errors.js";
import { callAt, now, onAbort } from "../asyncio/internal.js";
import type { WorkerKind } from "../port.js";
import type { ChannelOp, ChannelReply, ChannelReplyOp, ChannelRequest } from "./messages.js";
import { NOTHING } from "./store.js";
import { nextTurn, onNextTurn } from "../next-turn.js";

/**
 * The most items one put batch or one prefetch carries, unless the worker's port says otherwise
 * (`WorkerSidePort.channelBatch`). 4,096 rather than 1,024: Bun's and Deno's process transports
 * pay a large cost per message (Bun's CPU per item in main → process fell by about 40% with
 * batches four times bigger). Not more by default: Node's IPC got slower per item with batches
 * of 16,384 (main → process 45 → 61–83 ms per 100,000 items).
 */
export const DEFAULT_CHANNEL_BATCH = 4096;
/**
 * Where takes are not counted in shared memory (process workers), the owner hears of them at
 * least this often, so that a worker dying in the middle of a batch it received makes at most
 * this many items it had taken be delivered again. 256: main → process through a Queue ran at
 * 2.3–3.2M items/s with this report, with one every 1,024 takes, and with none (alternated runs
 * of apps/bench, one sitting); a message per take cost 16×.
 */
export const REPORT_TAKES_EVERY = 256;

/** An item the owner could not send to this worker: taking it rejects its get with `error`. */
class Poisoned {
  constructor(readonly error: unknown) {}
}

/** A batch of at least this many items asks for the next one as it arrives (see `arrived`). */
const AHEAD_FROM = 64;

/** One settled promise for every put that travels with credit (it allocates none). */
const RESOLVED: Promise<void> = Promise.resolve();

/** A worker that took its last items within this many ms asks for twice as many next time. */
const QUICK_MS = 2;

export interface ClientWait {
  readonly signal: AbortSignal | undefined;
  readonly timeout: number | null;
}

/** What the proxies (queue.ts) use. */
export interface ChannelClient {
  put(channel: string, value: unknown, wait: ClientWait): Promise<void>;
  get(channel: string, wait: ClientWait): Promise<unknown>;
  /** An item fetched and not taken yet, at once, when nobody here waits ahead; else NOTHING. */
  takeNow(channel: string): unknown;
  /** Marks `count` items done (JoinableQueue); travels with the next batch. */
  taskDone(channel: string, count: number): void;
  /** Resolves once every item put was marked done (JoinableQueue). */
  join(channel: string, wait: ClientWait): Promise<void>;
  /** close, size, sync: answered once everything this worker sent before has been applied. */
  ask(channel: string, op: "close" | "size" | "sync"): Promise<unknown>;
  /**
   * A call on an object a Manager serves (manager/): answered with what the owner's server
   * returned. Aborting `signal` withdraws it there.
   */
  call(channel: string, payload: unknown, signal: AbortSignal | undefined): Promise<unknown>;
  /** Sends what is waiting to be sent, now. */
  flush(): void;
  /** Which kind of worker this is: what this worker sends must be able to cross from it. */
  readonly kind: WorkerKind;
}

interface Taker {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  cleanup: () => void;
}

/** This worker's standing with one queue. */
interface Channel {
  readonly id: string;
  credit: number;
  /** Puts waiting for the owner's answer: later puts queue behind them, to keep their order. */
  waitingPuts: number;
  closed: boolean;
  /** Items fetched and not taken yet. */
  buffer: unknown[];
  head: number;
  /** Items taken since the owner was last told. */
  took: number;
  /** taskDone() calls since the owner was last told. */
  done: number;
  readonly takers: Taker[];
  /** The get request in flight, if any. */
  fetching: number | undefined;
  want: number;
  arrivedAt: number;
  /** The current batch of puts (an "items" op not sent yet). */
  batch: unknown[] | undefined;
  /** Why an earlier put that had resolved could not be sent (reported by the next operation). */
  lost: unknown;
  /** Every item this worker's code was handed from the channel, and the owner's shared copy of that count (thread workers). */
  handed: number;
  takes: Int32Array | undefined;
}

interface Pending {
  readonly channel: Channel;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const KEY = Symbol.for("weft.channelClient");

export function channelClient(): ChannelClient {
  const client = (globalThis as Record<symbol, ChannelClient | undefined>)[KEY];
  if (!client) throw new InvalidStateError("This channel lives with another side; it can only be used inside the weft worker it was passed to.");
  return client;
}

/**
 * Sends the channel operations this worker has batched. The worker calls it before it sends a
 * task's result, so that what a task put reaches the owner before the task's result does.
 */
export function flushChannels(): void {
  (globalThis as Record<symbol, ChannelClient | undefined>)[KEY]?.flush();
}

/** Installs the client over a worker's outgoing messages; returns the handler for replies. */
export function installChannelClient(
  send: (request: ChannelRequest) => void,
  kind: WorkerKind = "thread",
  batchSize: number = DEFAULT_CHANNEL_BATCH,
): (reply: ChannelReply) => void {
  const channels = new Map<string, Channel>();
  const pending = new Map<number, Pending>();
  let ops: ChannelOp[] = [];
  let nextRequest = 1;
  let flushQueued = false;

  const channelOf = (id: string): Channel => {
    let channel = channels.get(id);
    if (!channel) {
      channel = { id, credit: 0, waitingPuts: 0, closed: false, buffer: [], head: 0, took: 0, done: 0, takers: [], fetching: undefined, want: 1, arrivedAt: 0, batch: undefined, lost: undefined, handed: 0, takes: undefined };
      channels.set(id, channel);
    }
    return channel;
  };

  /**
   * Sends what waits to be sent. At the end of a turn (`endOfTurn`), items fetched and not taken
   * go back too: this worker's consumer has stopped taking quickly, and another side may want them.
   */
  const flush = (endOfTurn = false): void => {
    for (const channel of channels.values()) {
      channel.batch = undefined;
      if (endOfTurn && channel.takers.length === 0 && channel.head < channel.buffer.length) {
        giveBack(channel, false);
      } else if (channel.took > 0) {
        ops.push({ op: "took", channel: channel.id, count: channel.took });
        channel.took = 0;
      }
      if (channel.done > 0) {
        ops.push({ op: "taskDone", channel: channel.id, count: channel.done });
        channel.done = 0;
      }
    }
    if (ops.length === 0) return;
    const batch = ops;
    ops = [];
    try {
      send({ type: "channel", ops: batch });
    } catch (error) {
      resend(batch, error);
    }
  };

  /** A batch could not be sent (a value that cannot cross): send what can go, one by one. */
  const resend = (batch: ChannelOp[], error: unknown): void => {
    for (const op of batch) {
      try {
        send({ type: "channel", ops: [op] });
      } catch {
        if ("request" in op) {
          const waiter = pending.get(op.request);
          pending.delete(op.request);
          waiter?.reject(error);
        } else if (op.op === "items") {
          const channel = channelOf(op.channel);
          channel.lost = error instanceof DataCloneError ? error : transportRefusal("an item put earlier", error);
          channel.credit += op.values.length; // the owner never saw them: that room is still ours
        }
      }
    }
  };

  const schedule = (): void => {
    if (flushQueued) return;
    flushQueued = true;
    onNextTurn(() => {
      flushQueued = false;
      flush(true);
    });
  };

  const request = (channel: Channel, make: (request: number) => ChannelOp): Promise<unknown> => {
    const id = nextRequest++;
    return new Promise((resolve, reject) => {
      pending.set(id, { channel, resolve, reject });
      ops.push(make(id));
      flush();
    });
  };

  /** A request the owner may keep waiting; aborting `wait.signal` withdraws it there. */
  const withdrawable = (channel: Channel, wait: ClientWait, make: (request: number) => ChannelOp): Promise<unknown> => {
    const id = nextRequest++;
    const stopAbort = onAbort(wait.signal, () => {
      ops.push({ op: "cancel", request: id });
      flush();
    });
    return new Promise<unknown>((resolve, reject) => {
      pending.set(id, { channel, resolve, reject });
      ops.push(make(id));
      flush();
    }).then(
      (value) => {
        stopAbort();
        return value;
      },
      (error: unknown) => {
        stopAbort();
        throw wait.signal?.aborted ? (wait.signal.reason ?? error) : error;
      },
    );
  };

  const reportLost = (channel: Channel): void => {
    if (channel.lost === undefined) return;
    const error = channel.lost;
    channel.lost = undefined;
    throw error;
  };

  // ----- gets ---------------------------------------------------------------------------------

  const fetch = (channel: Channel): void => {
    if (channel.fetching !== undefined || channel.takers.length === 0) return;
    const quick = now() - channel.arrivedAt < QUICK_MS;
    channel.want = quick ? Math.min(batchSize, channel.want * 2) : Math.max(1, channel.want >> 1);
    channel.want = Math.max(channel.want, channel.takers.length);
    sendGet(channel, false);
  };

  /** Asks the owner for `channel.want` items; `ahead`: a prefetch it answers at once (see messages.ts). */
  const sendGet = (channel: Channel, ahead: boolean): void => {
    const id = nextRequest++;
    channel.fetching = id;
    pending.set(id, {
      channel,
      resolve: (values) => arrived(channel, id, values as unknown[], undefined),
      reject: (error) => fetchFailed(channel, id, error),
    });
    ops.push({ op: "get", channel: channel.id, request: id, want: channel.want, timeout: null, ...(ahead ? { ahead } : {}) });
    flush();
  };

  const arrived = (channel: Channel, id: number, values: unknown[], poison: Extract<ChannelReplyOp, { op: "items" }>["poison"]): void => {
    if (channel.fetching === id) channel.fetching = undefined;
    channel.arrivedAt = now();
    const first = channel.buffer.length;
    for (const value of values) channel.buffer.push(value);
    if (poison) for (const { index, error } of poison) channel.buffer[first + index] = new Poisoned(deserializeError(error));
    serveTakers(channel);
    // A big batch: the consumer here takes quickly. Ask for the next one now, so that the owner
    // sends it while this one is taken, instead of after (one round trip less per batch).
    if (values.length >= AHEAD_FROM && channel.fetching === undefined && !channel.closed && channel.buffer.length - channel.head <= channel.want) {
      fetchAhead(channel);
    }
    if (channel.head < channel.buffer.length) schedule();
  };

  /** A prefetch the owner answers at once, with what it can spare (maybe nothing). */
  const fetchAhead = (channel: Channel): void => {
    // It follows a big batch: the consumer keeps up, so the batches may grow (up to batchSize).
    channel.want = Math.min(batchSize, channel.want * 2);
    sendGet(channel, true);
  };

  const fetchFailed = (channel: Channel, id: number, error: unknown): void => {
    if (channel.fetching === id) channel.fetching = undefined;
    if ((error as Error)?.name === "AbortError") {
      fetch(channel); // withdrawn when its takers left; newer takers need a new one
      return;
    }
    for (const taker of channel.takers.splice(0)) {
      taker.cleanup();
      taker.reject(error);
    }
  };

  const serveTakers = (channel: Channel): void => {
    while (channel.takers.length > 0 && channel.head < channel.buffer.length) {
      const taker = channel.takers.shift()!;
      taker.cleanup();
      const value = take(channel);
      if (value instanceof Poisoned) taker.reject(value.error);
      else taker.resolve(value);
    }
    if (channel.takers.length > 0) fetch(channel);
  };

  const take = (channel: Channel): unknown => {
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
      ops.push({ op: "took", channel: channel.id, count: channel.took });
      channel.took = 0;
      flush();
    }
    schedule();
    return value;
  };

  const leave = (channel: Channel, taker: Taker, error: unknown): void => {
    const i = channel.takers.indexOf(taker);
    if (i < 0) return;
    channel.takers.splice(i, 1);
    taker.cleanup();
    taker.reject(error);
    if (channel.takers.length === 0 && channel.fetching !== undefined) {
      // Nobody here wants an item now: withdraw the request (what already left comes back later).
      ops.push({ op: "cancel", request: channel.fetching });
      flush();
    }
  };

  // ----- the owner's notices -----------------------------------------------------------------

  /** Gives back the untaken items (and, when recalled, the unused credit). */
  const giveBack = (channel: Channel, withCredit: boolean): void => {
    const returned = channel.buffer.length - channel.head;
    channel.buffer = [];
    channel.head = 0;
    const credit = withCredit ? channel.credit : 0;
    ops.push({ op: "release", channel: channel.id, took: channel.took, returned, credit });
    channel.took = 0;
    channel.credit -= credit;
  };

  const release = (channelId: string, closed: boolean): void => {
    const channel = channelOf(channelId);
    if (closed) channel.closed = true;
    giveBack(channel, true);
    flush();
  };

  const onReply = (op: ChannelReplyOp): void => {
    switch (op.op) {
      case "credit":
        channelOf(op.channel).credit += op.count;
        return;
      case "lease": {
        // A new lease counts from zero: it arrives before any item handed on it.
        const channel = channelOf(op.channel);
        channel.takes = op.takes;
        channel.handed = 0;
        return;
      }
      case "recall":
        release(op.channel, op.closed);
        return;
      default: {
        const waiter = pending.get(op.request);
        if (!waiter) return;
        pending.delete(op.request);
        if (op.op === "failed") {
          const error = deserializeError(op.error);
          if (error instanceof QueueShutDown || (error as Error).name === "QueueShutDown") waiter.channel.closed = true;
          waiter.reject(error);
        } else if (op.op === "items") {
          if (op.poison) arrived(waiter.channel, op.request, op.values as unknown[], op.poison);
          else waiter.resolve(op.values);
        }
        else {
          if (op.credit) waiter.channel.credit += op.credit;
          waiter.resolve(op.value);
        }
      }
    }
  };

  // ----- the client ----------------------------------------------------------------------------

  const client: ChannelClient = {
    put(id, value, wait) {
      const channel = channelOf(id);
      try {
        reportLost(channel);
      } catch (error) {
        return Promise.reject(error);
      }
      if (wait.signal?.aborted) return Promise.reject(wait.signal.reason ?? new AbortError());
      if (channel.closed) return Promise.reject(new QueueShutDown("The queue is closed; nothing more can be put."));
      try {
        checkCrossing(value, kind, "the item put");
      } catch (error) {
        return Promise.reject(error);
      }
      if (channel.credit > 0 && channel.waitingPuts === 0) {
        channel.credit--;
        if (!channel.batch) {
          channel.batch = [];
          ops.push({ op: "items", channel: id, values: channel.batch });
        }
        channel.batch.push(value);
        if (channel.batch.length < batchSize) {
          schedule();
          return RESOLVED;
        }
        flush();
        // A producer that never waits would never hear the owner between batches: the credit it
        // grants as batches arrive would wait until this worker ran out and asked (a round trip
        // behind everything it sent before). One turn of the event loop per batch lets it in.
        return nextTurn();
      }
      channel.waitingPuts++;
      channel.batch = undefined;
      const settled = (): void => {
        channel.waitingPuts--;
      };
      return withdrawable(channel, wait, (request) => ({ op: "put", channel: id, request, value, timeout: wait.timeout })).then(settled, (error: unknown) => {
        settled();
        throw error;
      });
    },

    taskDone(id, count) {
      channelOf(id).done += count;
      schedule();
    },

    join(id, wait) {
      if (wait.signal?.aborted) return Promise.reject(wait.signal.reason ?? new AbortError());
      return withdrawable(channelOf(id), wait, (request) => ({ op: "join", channel: id, request, timeout: wait.timeout })).then(() => undefined);
    },

    get(id, wait) {
      const channel = channelOf(id);
      if (wait.signal?.aborted) return Promise.reject(wait.signal.reason ?? new AbortError());
      if (channel.takers.length === 0 && channel.head < channel.buffer.length) {
        const value = take(channel);
        return value instanceof Poisoned ? Promise.reject(value.error) : Promise.resolve(value);
      }
      return new Promise((resolve, reject) => {
        const taker: Taker = { resolve, reject, cleanup: () => {} };
        const cleanups: (() => void)[] = [];
        if (wait.timeout !== null) {
          const ms = wait.timeout;
          cleanups.push(callAt(now() + ms, () => leave(channel, taker, new TimeoutError(`Queue.get() timed out after ${ms} ms.`))));
        }
        if (wait.signal) {
          const signal = wait.signal;
          cleanups.push(onAbort(signal, () => leave(channel, taker, signal.reason ?? new AbortError())));
        }
        taker.cleanup = () => cleanups.forEach((c) => c());
        channel.takers.push(taker);
        fetch(channel);
      });
    },

    takeNow(id) {
      const channel = channels.get(id);
      if (!channel || channel.takers.length > 0 || channel.head >= channel.buffer.length) return NOTHING;
      // A poisoned item is taken by get(), which rejects with its error.
      if (channel.buffer[channel.head] instanceof Poisoned) return NOTHING;
      return take(channel);
    },

    ask(id, op) {
      const channel = channelOf(id);
      if (op === "close") channel.batch = undefined;
      return request(channel, (request) => ({ op, channel: id, request })).then((value) => {
        if (op === "close") channel.closed = true;
        return value;
      });
    },

    call(id, payload, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason ?? new AbortError());
      return withdrawable(channelOf(id), { signal, timeout: null }, (request) => ({ op: "call", channel: id, request, payload }));
    },

    flush,
    kind,
  };

  (globalThis as Record<symbol, ChannelClient | undefined>)[KEY] = client;
  return (reply) => {
    for (const op of reply.ops) onReply(op);
  };
}
