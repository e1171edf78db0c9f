/**
 * The worker's message link for channel operations: operations made in one turn of the event
 * loop travel in one message, requests wait for their answer by number, and a batch the
 * transport refuses (a value that cannot cross) is resent op by op, so that only the ops that
 * cannot cross fail.
 */
import { onAbort } from "../asyncio/internal.js";
import { onNextTurn } from "../next-turn.js";
import type { Channel, ClientWait } from "./channel-state.js";
import type { ChannelOp, ChannelRequest } from "./messages.js";

/** A request waiting for the owner's answer. */
export interface Pending {
  readonly channel: Channel;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export interface OpLinkHooks {
  /** Adds what the channels owe the owner before a message leaves (reports of takes, taskDone counts…). */
  beforeSend(endOfTurn: boolean): void;
  /** A batch of resolved puts the transport refused: the channel reports it with its next operation. */
  itemsRefused(op: Extract<ChannelOp, { op: "items" }>, error: unknown): void;
}

export class OpLink {
  readonly pending = new Map<number, Pending>();
  #ops: ChannelOp[] = [];
  #nextRequest = 1;
  #flushQueued = false;

  constructor(
    private readonly send: (request: ChannelRequest) => void,
    private readonly hooks: OpLinkHooks,
  ) {}

  /** A request number, for ops whose answer is awaited elsewhere (a prefetch). */
  newRequest(): number {
    return this.#nextRequest++;
  }

  /** Queues `op` for the next message. */
  push(op: ChannelOp): void {
    this.#ops.push(op);
  }

  /**
   * Sends what waits to be sent. At the end of a turn (`endOfTurn`), the channels may give back
   * what they fetched and did not take (see prefetch.ts).
   */
  flush(endOfTurn = false): void {
    this.hooks.beforeSend(endOfTurn);
    if (this.#ops.length === 0) return;
    const batch = this.#ops;
    this.#ops = [];
    try {
      this.send({ type: "channel", ops: batch });
    } catch (error) {
      this.#resend(batch, error);
    }
  }

  /** Flushes at the end of this turn of the event loop (once, however often it is asked). */
  schedule(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    onNextTurn(() => {
      this.#flushQueued = false;
      this.flush(true);
    });
  }

  /** Sends a request now and waits for its answer. */
  request(channel: Channel, make: (request: number) => ChannelOp): Promise<unknown> {
    const id = this.newRequest();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { channel, resolve, reject });
      this.#ops.push(make(id));
      this.flush();
    });
  }

  /** A request the owner may keep waiting; aborting `wait.signal` withdraws it there. */
  withdrawable(channel: Channel, wait: ClientWait, make: (request: number) => ChannelOp): Promise<unknown> {
    const id = this.newRequest();
    const stopAbort = onAbort(wait.signal, () => {
      this.#ops.push({ op: "cancel", request: id });
      this.flush();
    });
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { channel, resolve, reject });
      this.#ops.push(make(id));
      this.flush();
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
  }

  /** The request answered by the owner, taken out of those pending; undefined for one withdrawn or unknown. */
  answered(request: number): Pending | undefined {
    const waiter = this.pending.get(request);
    this.pending.delete(request);
    return waiter;
  }

  #resend(batch: ChannelOp[], error: unknown): void {
    for (const op of batch) {
      try {
        this.send({ type: "channel", ops: [op] });
      } catch {
        if ("request" in op) this.answered(op.request)?.reject(error);
        else if (op.op === "items") this.hooks.itemsRefused(op, error);
      }
    }
  }
}
