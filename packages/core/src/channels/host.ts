/**
 * The owner's side of channels for one worker: applies the batches of operations the worker
 * sends to the real queues, answers in batches, and keeps the worker's lease on each queue (its
 * credit and the items handed to it). When the worker is gone ({@link ChannelHost.dispose}), the
 * items it was handed and never took go back to their queues, and its waiting operations are
 * dropped, so a dead consumer never takes an item.
 */
import { AbortError, DataCloneError, UnknownHandleError, transportRefusal } from "../errors.js";
import { serializeError } from "../codec/thrown.js";
import { checkCrossing, checkCrossingExactly } from "../codec/graph.js";
import type { ChannelOp, ChannelReply, ChannelReplyOp, ChannelSize } from "./messages.js";
import type { WorkerKind } from "../port.js";
import { keyId, lookupChannel, type CallServer, type Caller } from "./registry.js";
import type { ChannelStore, Lease } from "./store.js";
import { ItemDeque } from "./item-deque.js";

interface Joined {
  readonly store: ChannelStore<unknown>;
  readonly lease: Lease;
}

export class ChannelHost {
  readonly #send: (reply: ChannelReply) => void;
  readonly #joined = new Map<string, Joined>();
  /** Waiting puts and gets by request number: withdraws one. */
  readonly #waiting = new Map<number, () => void>();
  #outbox: ChannelReplyOp[] = [];
  #flushQueued = false;
  #handling = false;
  #disposed = false;
  /** This worker, as the servers of calls (Managers) know it. */
  readonly #caller: Caller;
  /** The servers this worker called: told when it is gone. */
  readonly #servers = new Set<CallServer>();
  readonly #kind: WorkerKind;

  constructor(send: (reply: ChannelReply) => void, kind: WorkerKind = "thread") {
    this.#send = send;
    this.#kind = kind;
    this.#caller = { kind };
  }

  handle(message: { readonly ops: readonly ChannelOp[] }): void {
    if (this.#disposed) return;
    this.#handling = true;
    const refill = new Set<Joined>();
    try {
      for (const op of message.ops) {
        const joined = this.#apply(op);
        if (joined) refill.add(joined);
      }
      for (const joined of refill) joined.store.refill(joined.lease);
    } finally {
      this.#handling = false;
    }
    this.#flush();
  }

  /** The worker ended: what it was handed and never took goes back; its waits are withdrawn. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#waiting.clear();
    for (const { store, lease } of this.#joined.values()) store.leave(lease);
    this.#joined.clear();
    for (const server of this.#servers) server.leave(this.#caller);
    this.#servers.clear();
    this.#outbox = [];
  }

  /** Applies one operation; returns the queue's standing when the worker's credit may need a top-up. */
  #apply(op: ChannelOp): Joined | undefined {
    if (op.op === "cancel") {
      this.#waiting.get(op.request)?.();
      return undefined;
    }
    if (op.op === "call") {
      this.#call(op.channel, op.request, op.payload);
      return undefined;
    }
    const joined = this.#join(op.channel);
    if (!joined) {
      if ("request" in op) this.#fail(op.request, unknownHandle("Queue", op.channel));
      return undefined;
    }
    const { store, lease } = joined;
    switch (op.op) {
      case "items":
        // The batch arrived in a message of its own (cloned or decoded): the store may keep it.
        store.accept(lease, op.values as unknown[]);
        return joined;
      case "took":
        store.took(lease, op.count);
        return undefined;
      case "release":
        store.release(lease, op.took, op.returned, op.credit);
        return undefined;
      case "put":
        this.#wait(op.request, (done, fail) =>
          store.remotePut(lease, op.value, { timeout: op.timeout }, (credit) => done({ op: "done", request: op.request, channel: op.channel, credit }), fail));
        return undefined;
      case "get":
        if (op.ahead) {
          this.#reply(this.#items(op.request, store.spare(lease, op.want)));
          return undefined;
        }
        this.#wait(op.request, (done, fail) =>
          store.remoteGet(lease, op.want, { timeout: op.timeout }, (values) => done(this.#items(op.request, values)), fail));
        return undefined;
      case "taskDone":
        store.taskDone(op.count, true);
        return undefined;
      case "join":
        this.#wait(op.request, (done, fail) => store.join({ timeout: op.timeout }, () => done({ op: "done", request: op.request }), fail));
        return undefined;
      case "close":
        store.close();
        this.#reply({ op: "done", request: op.request });
        return undefined;
      case "size": {
        const size: ChannelSize = { qsize: store.qsize(), maxsize: store.maxsize };
        this.#reply({ op: "done", request: op.request, value: size });
        return undefined;
      }
      default:
        // "sync": everything the worker sent before it has been applied.
        this.#reply({ op: "done", request: op.request });
        return undefined;
    }
  }

  #call(channel: string, request: number, payload: unknown): void {
    const server = lookupChannel(channel)?.server;
    if (!server) {
      this.#fail(request, unknownHandle("Manager", channel));
      return;
    }
    this.#servers.add(server);
    this.#wait(request, (done, fail) => server.call(payload, this.#caller, (value) => done({ op: "done", request, value }), fail));
  }

  #join(channel: string): Joined | undefined {
    let joined = this.#joined.get(channel);
    if (joined) return joined;
    const store = lookupChannel(channel)?.store;
    if (!store) return undefined;
    // A thread worker counts its takes in shared memory, which outlives it: when it dies, what
    // its code was handed is known exactly, and only the items it never took go back.
    const takes = this.#kind === "thread" && typeof SharedArrayBuffer === "function" ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
    const lease: Lease = {
      credit: 0,
      held: new ItemDeque(),
      recalling: false,
      reported: 0,
      ...(takes ? { takes } : {}),
      recall: (closed) => this.#reply({ op: "recall", channel, closed }),
      grant: (count) => this.#reply({ op: "credit", channel, count }),
    };
    if (takes) this.#reply({ op: "lease", channel, takes });
    store.enter(lease);
    joined = { store, lease };
    this.#joined.set(channel, joined);
    return joined;
  }

  /** Starts a put or get that may wait; keeps its withdrawal until it settles. */
  #wait(request: number, start: (done: (reply: ChannelReplyOp) => void, fail: (error: unknown) => void) => () => void): void {
    let settled = false;
    const withdraw = start(
      (reply) => {
        settled = true;
        this.#waiting.delete(request);
        this.#reply(reply);
      },
      (error) => {
        settled = true;
        this.#waiting.delete(request);
        this.#fail(request, error);
      },
    );
    if (!settled) this.#waiting.set(request, withdraw);
  }

  #reply(op: ChannelReplyOp): void {
    if (this.#disposed) return;
    this.#outbox.push(op);
    if (!this.#handling && !this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => {
        this.#flushQueued = false;
        this.#flush();
      });
    }
  }

  #fail(request: number, error: unknown): void {
    this.#reply({ op: "failed", request, error: serializeError(error ?? new AbortError("The worker withdrew this channel operation.")) });
  }

  #flush(): void {
    if (this.#outbox.length === 0 || this.#disposed) return;
    const ops = this.#outbox;
    this.#outbox = [];
    try {
      this.#send({ type: "channel-reply", ops });
    } catch (error) {
      // The worker is going (its exit disposes this host and gives back what it held), or a
      // value cannot cross to it: answer each request that carried one with the error instead.
      this.#resend(ops, error);
    }
  }

  #resend(ops: ChannelReplyOp[], error: unknown): void {
    for (let op of ops) {
      try {
        this.#send({ type: "channel-reply", ops: [op] });
        continue;
      } catch (refused) {
        if (op.op === "items") {
          op = this.#poisoned(op, refused);
          try {
            this.#send({ type: "channel-reply", ops: [op] });
            continue;
          } catch {
            // The worker is going, or the transport refuses what the check let through: below.
          }
        }
        if (op.op !== "items" && op.op !== "done") continue;
        try {
          this.#send({ type: "channel-reply", ops: [{ op: "failed", request: op.request, error: serializeError(error) }] });
        } catch {
          return; // gone: dispose() follows and takes the items back
        }
      }
    }
  }

  /**
   * The items of a get for this worker. Some transports to a process do not refuse what cannot
   * cross (Bun's turns a SharedArrayBuffer into `{}`), so objects going to a process are checked
   * here; numbers and strings, the common items, cost nothing.
   */
  #items(request: number, values: unknown[]): Extract<ChannelReplyOp, { op: "items" }> {
    const op = { op: "items" as const, request, values };
    if (this.#kind !== "process") return op;
    for (const value of values) {
      if (typeof value !== "object" || value === null) continue;
      try {
        checkCrossing(value, "process", "a Queue item");
      } catch (error) {
        return this.#poisoned(op, error);
      }
    }
    return op;
  }

  /**
   * The items of a get, with each value that cannot cross to this worker replaced by the error
   * its take will reject with: only that get fails, the others are delivered, and the poisoned
   * item counts as taken once the worker takes it (qsize stays exact).
   */
  #poisoned(op: Extract<ChannelReplyOp, { op: "items" }>, refused: unknown): Extract<ChannelReplyOp, { op: "items" }> {
    const values = [...op.values];
    const poison: { index: number; error: ReturnType<typeof serializeError> }[] = [];
    for (let index = 0; index < values.length; index++) {
      try {
        checkCrossingExactly(values[index], this.#kind, "a Queue item");
        if (this.#kind === "thread") structuredClone(values[index]);
      } catch (error) {
        values[index] = undefined;
        poison.push({ index, error: serializeError(error instanceof DataCloneError ? error : transportRefusal("a Queue item", error)) });
      }
    }
    if (poison.length === 0) {
      // Nothing singled out: the transport refused the batch as a whole. Every value of it fails its own get.
      const error = serializeError(transportRefusal("a Queue item", refused));
      return { op: "items", request: op.request, values: values.map(() => undefined), poison: values.map((_, index) => ({ index, error })) };
    }
    return { op: "items", request: op.request, values, poison };
  }
}

/** The refusal of a key this side never handed out (a forged handle, or one used a worker too deep). */
function unknownHandle(what: "Queue" | "Manager", key: string): UnknownHandleError {
  return new UnknownHandleError(
    `No ${what} ${keyId(key)} with that token was handed to this worker: a handle works only as it was passed (an argument, or inside a value received), not rebuilt from an id, and only in the workers its owner's side started.`,
  );
}
