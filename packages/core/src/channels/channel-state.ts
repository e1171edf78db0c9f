/**
 * A worker's standing with one queue that lives with its owner: what the worker's side of
 * channels (client.ts) keeps per queue, shared by its put path (credit, batches), its get path
 * (prefetch.ts) and its message link (op-link.ts).
 */

/** A get waiting here for an item. */
export interface Taker {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  cleanup: () => void;
}

/** An item the owner could not send to this worker: taking it rejects its get with `error`. */
export class Poisoned {
  constructor(readonly error: unknown) {}
}

export interface Channel {
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

export function newChannel(id: string): Channel {
  return { id, credit: 0, waitingPuts: 0, closed: false, buffer: [], head: 0, took: 0, done: 0, takers: [], fetching: undefined, want: 1, arrivedAt: 0, batch: undefined, lost: undefined, handed: 0, takes: undefined };
}

/** How long a get or a join may wait, and what withdraws it. */
export interface ClientWait {
  readonly signal: AbortSignal | undefined;
  readonly timeout: number | null;
}
