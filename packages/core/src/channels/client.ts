/**
 * The worker's side of channels: it speaks for every queue that lives with the parent.
 *
 * - A put travels without waiting for an answer while the worker holds credit (room the owner
 *   promised it); puts made in one turn of the event loop travel in one message (op-link.ts).
 *   Without credit, the put waits for the owner's answer, which brings more credit.
 * - A get takes from what this worker fetched ahead (prefetch.ts).
 * - A put is checked where it is made: a value that cannot cross from this worker rejects that
 *   put with DataCloneError and never enters a batch. An item the owner cannot send to this
 *   worker fails the one get that would have taken it (see host.ts).
 *
 * `serveWorker` installs the client; a proxy used outside a weft worker gets a clear error.
 */
import { AbortError, DataCloneError, InvalidStateError, transportRefusal } from "../errors.js";
import { deserializeError } from "../codec/thrown.js";
import { checkCrossing } from "../codec/graph.js";
import { QueueShutDown } from "../asyncio/errors.js";
import type { WorkerKind } from "../port.js";
import { type Channel, type ClientWait, newChannel } from "./channel-state.js";
import type { ChannelReply, ChannelReplyOp, ChannelRequest } from "./messages.js";
import { OpLink } from "./op-link.js";
import { Prefetch } from "./prefetch.js";
import { nextTurn } from "../next-turn.js";

export type { ClientWait } from "./channel-state.js";
export { REPORT_TAKES_EVERY } from "./prefetch.js";

/**
 * The most items one put batch or one prefetch carries, unless the worker's port says otherwise
 * (`WorkerSidePort.channelBatch`). 4,096 rather than 1,024: Bun's and Deno's process transports
 * pay a large cost per message (Bun's CPU per item in main → process fell by about 40% with
 * batches four times bigger). Not more by default: Node's IPC got slower per item with batches
 * of 16,384 (main → process 45 → 61–83 ms per 100,000 items).
 */
export const DEFAULT_CHANNEL_BATCH = 4096;

/** One settled promise for every put that travels with credit (it allocates none). */
const RESOLVED: Promise<void> = Promise.resolve();

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
  const channelOf = (id: string): Channel => {
    let channel = channels.get(id);
    if (!channel) channels.set(id, (channel = newChannel(id)));
    return channel;
  };
  const link: OpLink = new OpLink(send, {
    beforeSend(endOfTurn) {
      for (const channel of channels.values()) {
        channel.batch = undefined;
        prefetch.beforeSend(channel, endOfTurn);
        if (channel.done > 0) {
          link.push({ op: "taskDone", channel: channel.id, count: channel.done });
          channel.done = 0;
        }
      }
    },
    itemsRefused(op, error) {
      const channel = channelOf(op.channel);
      channel.lost = error instanceof DataCloneError ? error : transportRefusal("an item put earlier", error);
      channel.credit += op.values.length; // the owner never saw them: that room is still ours
    },
  });
  const prefetch = new Prefetch(link, batchSize);

  const reportLost = (channel: Channel): void => {
    if (channel.lost === undefined) return;
    const error = channel.lost;
    channel.lost = undefined;
    throw error;
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
      case "recall": {
        const channel = channelOf(op.channel);
        if (op.closed) channel.closed = true;
        prefetch.giveBack(channel, true);
        link.flush();
        return;
      }
      default: {
        const waiter = link.answered(op.request);
        if (!waiter) return;
        if (op.op === "failed") {
          const error = deserializeError(op.error);
          if (error instanceof QueueShutDown || (error as Error).name === "QueueShutDown") waiter.channel.closed = true;
          waiter.reject(error);
        } else if (op.op === "items") {
          if (op.poison) prefetch.arrived(waiter.channel, op.request, op.values as unknown[], op.poison);
          else waiter.resolve(op.values);
        } else {
          if (op.credit) waiter.channel.credit += op.credit;
          waiter.resolve(op.value);
        }
      }
    }
  };

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
          link.push({ op: "items", channel: id, values: channel.batch });
        }
        channel.batch.push(value);
        if (channel.batch.length < batchSize) {
          link.schedule();
          return RESOLVED;
        }
        link.flush();
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
      return link.withdrawable(channel, wait, (request) => ({ op: "put", channel: id, request, value, timeout: wait.timeout })).then(settled, (error: unknown) => {
        settled();
        throw error;
      });
    },

    taskDone(id, count) {
      channelOf(id).done += count;
      link.schedule();
    },

    join(id, wait) {
      if (wait.signal?.aborted) return Promise.reject(wait.signal.reason ?? new AbortError());
      return link.withdrawable(channelOf(id), wait, (request) => ({ op: "join", channel: id, request, timeout: wait.timeout })).then(() => undefined);
    },

    get(id, wait) {
      if (wait.signal?.aborted) return Promise.reject(wait.signal.reason ?? new AbortError());
      return prefetch.get(channelOf(id), wait);
    },

    takeNow(id) {
      return prefetch.takeNow(channels.get(id));
    },

    ask(id, op) {
      const channel = channelOf(id);
      if (op === "close") channel.batch = undefined;
      return link.request(channel, (request) => ({ op, channel: id, request })).then((value) => {
        if (op === "close") channel.closed = true;
        return value;
      });
    },

    call(id, payload, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason ?? new AbortError());
      return link.withdrawable(channelOf(id), { signal, timeout: null }, (request) => ({ op: "call", channel: id, request, payload }));
    },

    flush: () => link.flush(),
    kind,
  };

  (globalThis as Record<symbol, ChannelClient | undefined>)[KEY] = client;
  return (reply) => {
    for (const op of reply.ops) onReply(op);
  };
}
