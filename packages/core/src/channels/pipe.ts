/**
 * multiprocessing's Pipe: two connected ends. What one end sends, the other receives, in order;
 * each end can be passed to a thread or a process. Built on two channel queues.
 */
import { InvalidArgumentError, InvalidStateError } from "../errors.js";
import { SHARED_HANDLE, registerSharedType, type SharedDescriptor } from "../shared-handle.js";
import { type ChannelQueue, type ChannelWaitOptions, Queue, iterate } from "./queue.js";

const TYPE = "weft.channel.Connection";

/**
 * One end of a {@link Pipe} (Python's `multiprocessing.connection.Connection`). An end of a
 * one-way pipe (`Pipe(false)`) can only receive (`readable`) or only send (`writable`); the other
 * operation rejects with InvalidStateError, as Python's raises OSError.
 */
export class Connection<Send = unknown, Receive = Send> implements AsyncIterable<Receive> {
  readonly #outgoing: ChannelQueue<Send> | undefined;
  readonly #incoming: ChannelQueue<Receive> | undefined;

  /** @internal Use {@link Pipe}. */
  constructor(outgoing: ChannelQueue<Send> | undefined, incoming: ChannelQueue<Receive> | undefined) {
    this.#outgoing = outgoing;
    this.#incoming = incoming;
  }

  /** Whether this end can receive (Python's `readable`): false for the sending end of `Pipe(false)`. */
  get readable(): boolean {
    return this.#incoming !== undefined;
  }

  /** Whether this end can send (Python's `writable`): false for the receiving end of `Pipe(false)`. */
  get writable(): boolean {
    return this.#outgoing !== undefined;
  }

  /** Sends a value to the other end (copied). Rejects with QueueShutDown once this end is closed. */
  send(value: Send, options?: ChannelWaitOptions): Promise<void> {
    if (!this.#outgoing) return Promise.reject(oneWay("send on", "receiving"));
    return this.#outgoing.put(value, options);
  }

  /** Receives the next value from the other end; rejects with QueueShutDown once the other end closed and everything was read. */
  recv(options?: ChannelWaitOptions): Promise<Receive> {
    if (!this.#incoming) return Promise.reject(oneWay("recv on", "sending"));
    return this.#incoming.get(options);
  }

  /**
   * Closes the sending direction: the other end reads what is left, then its iteration ends. On
   * the receiving end of a one-way pipe, closes the direction it reads: the sender's next send
   * rejects with QueueShutDown (where Python's would raise BrokenPipeError).
   */
  close(): Promise<void> {
    return (this.#outgoing ?? this.#incoming)!.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<Receive> {
    if (!this.#incoming) {
      return { next: () => Promise.reject(oneWay("iterating", "sending")) };
    }
    return iterate(this.#incoming);
  }

  [SHARED_HANDLE](): SharedDescriptor {
    return { type: TYPE, state: { outgoing: this.#outgoing ?? null, incoming: this.#incoming ?? null }, crossesProcesses: true };
  }
}

function oneWay(what: string, end: "receiving" | "sending"): InvalidStateError {
  return new InvalidStateError(
    `Cannot ${what} this end of a one-way Pipe(false): it is the ${end} end (${end === "receiving" ? "it can only recv" : "it can only send"}). ` +
      `Use the other end, or Pipe() for a duplex pair.`,
  );
}

/** Whether a pipe is duplex: `Pipe()`, `Pipe(true)`, `Pipe(false)`, `Pipe({ duplex })`. */
function parseDuplex(options: unknown): boolean {
  if (options === undefined) return true;
  if (typeof options === "boolean") return options;
  if (typeof options === "object" && options !== null && !Array.isArray(options)) {
    const keys = Object.keys(options);
    const unknown = keys.find((key) => key !== "duplex");
    if (unknown !== undefined) throw new InvalidArgumentError(`Pipe() got an unknown option "${unknown}"; the only option is duplex (a boolean).`);
    const duplex = (options as { duplex?: unknown }).duplex;
    if (duplex === undefined || typeof duplex === "boolean") return duplex ?? true;
    throw new InvalidArgumentError(`Pipe({ duplex }) must be a boolean; got ${describeValue(duplex)}.`);
  }
  throw new InvalidArgumentError(`Pipe() takes duplex as a boolean (Python's Pipe(duplex=True)) or { duplex: boolean }; got ${describeValue(options)}.`);
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value === "object" || typeof value === "function" ? `a ${typeof value}` : `${typeof value} ${String(value)}`;
}

/**
 * Python's `multiprocessing.Pipe(duplex=True)`: returns two connected ends. Create it on the main
 * side; pass either end to a worker. `Pipe(false)` (or `Pipe({ duplex: false })`) is one-way, as
 * in Python: the first end can only receive, the second only send. Anything else is an
 * InvalidArgumentError.
 */
export function Pipe<A = unknown, B = A>(duplex?: boolean | { readonly duplex?: boolean }): [Connection<A, B>, Connection<B, A>] {
  if (!parseDuplex(duplex)) {
    const channel = new Queue<A>();
    return [new Connection<A, B>(undefined, channel as unknown as ChannelQueue<B>), new Connection<B, A>(channel as unknown as ChannelQueue<B>, undefined)];
  }
  const forward = new Queue<A>();
  const backward = new Queue<B>();
  return [new Connection<A, B>(forward, backward), new Connection<B, A>(backward, forward)];
}

registerSharedType(TYPE, (state) => {
  const { outgoing, incoming } = state as { outgoing: ChannelQueue<unknown> | null; incoming: ChannelQueue<unknown> | null };
  return new Connection(outgoing ?? undefined, incoming ?? undefined);
});
