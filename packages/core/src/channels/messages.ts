/**
 * The messages of the channels (Queue, Pipe, a Manager's proxies) that cross between a worker and the side that owns
 * the channel. The task protocol (protocol.ts) routes every message whose `type` is "channel"
 * to the channel host and every "channel-reply" to the channel client; what they carry is the
 * channels' own business.
 *
 * Each message carries a batch of operations, in order. Puts travel without waiting for an
 * answer while the worker holds credit (room the owner promised it); gets fetch several items at
 * once. The owner keeps the items it handed to a worker until the worker says it took them, so
 * that an item a worker never took goes back to the queue (on recall, or when the worker dies).
 */
import type { SerializedError } from "../codec/thrown.js";

/** One operation a worker asks of a channel that lives on the owner's side. */
export type ChannelOp =
  /** Items put with credit: the owner accepts them whatever happened meanwhile (even close). */
  | { readonly op: "items"; readonly channel: string; readonly values: readonly unknown[] }
  /** A put without credit: the owner puts it (waiting for room) and answers, granting credit. */
  | { readonly op: "put"; readonly channel: string; readonly request: number; readonly value: unknown; readonly timeout: number | null }
  /**
   * Items wanted (at least one, at most `want`): the owner answers with "items" for `request`.
   * `ahead`: a prefetch while the worker still has items to take; the owner answers at once with
   * what it can spare now, maybe nothing, and never keeps it waiting.
   */
  | { readonly op: "get"; readonly channel: string; readonly request: number; readonly want: number; readonly timeout: number | null; readonly ahead?: boolean }
  /** The worker took this many of the items handed to it (oldest first). */
  | { readonly op: "took"; readonly channel: string; readonly count: number }
  /**
   * The answer to a recall: the worker took `took` more items, gives back the next `returned`
   * ones untaken and hands back `credit` unused puts.
   */
  | { readonly op: "release"; readonly channel: string; readonly took: number; readonly returned: number; readonly credit: number }
  | { readonly op: "close" | "size" | "sync"; readonly channel: string; readonly request: number }
  /** Python's JoinableQueue.task_done(), `count` times. */
  | { readonly op: "taskDone"; readonly channel: string; readonly count: number }
  /** Python's JoinableQueue.join(): answered once every item put was marked done. */
  | { readonly op: "join"; readonly channel: string; readonly request: number; readonly timeout: number | null }
  /**
   * A call on an object a Manager serves (manager/): `payload` names the object, the method and
   * its encoded arguments; the owner answers "done" with the encoded result, or "failed".
   */
  | { readonly op: "call"; readonly channel: string; readonly request: number; readonly payload: unknown }
  /** Withdraws a waiting put, get or call; the owner answers it (with the abort, or what was done). */
  | { readonly op: "cancel"; readonly request: number };

/** Worker → owner: operations on channels, in the order the worker made them. */
export interface ChannelRequest {
  readonly type: "channel";
  readonly ops: readonly ChannelOp[];
}

/** What the owner tells a worker about one channel or one request. */
export type ChannelReplyOp =
  /** Items for a get (`request`), now the worker's to take; `closed`: the queue was closed. */
  | {
      readonly op: "items";
      readonly request: number;
      readonly values: readonly unknown[];
      /** Values that cannot cross to this worker (left undefined in `values`): taking one rejects with its error. */
      readonly poison?: readonly { readonly index: number; readonly error: SerializedError }[];
    }
  /** The worker's shared take counter for one channel (thread workers, where shared memory exists). */
  | { readonly op: "lease"; readonly channel: string; readonly takes: Int32Array }
  /** A request finished; `credit` puts may now travel without asking. */
  | { readonly op: "done"; readonly request: number; readonly value?: unknown; readonly credit?: number; readonly channel?: string }
  | { readonly op: "failed"; readonly request: number; readonly error: SerializedError }
  /** More credit for puts (the owner received earlier ones). */
  | { readonly op: "credit"; readonly channel: string; readonly count: number }
  /** Give back what you hold (untaken items, unused credit): another side waits, or the queue closed. */
  | { readonly op: "recall"; readonly channel: string; readonly closed: boolean };

/** Owner → worker: answers and notices, in order. */
export interface ChannelReply {
  readonly type: "channel-reply";
  readonly ops: readonly ChannelReplyOp[];
}

/** The answer to a "size" request. */
export interface ChannelSize {
  readonly qsize: number;
  readonly maxsize: number;
}
