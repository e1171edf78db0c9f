/**
 * multiprocessing's Pipe: two connected ends. What one end sends, the other receives, in order;
 * each end can be passed to a thread or a process. Built on channel queues: two for a duplex
 * pair, one for a one-way `Pipe(false)`.
 */
import { InvalidArgumentError, InvalidStateError } from "../errors.js";
import { describe } from "../options.js";
import { SHARED_HANDLE, registerSharedType, type SharedDescriptor } from "../shared-handle.js";
import { type ChannelQueue, type ChannelWaitOptions, Queue, iterate } from "./queue.js";

const TYPE = "weft.channel.Connection";

/** What {@link Pipe} takes: Python's `duplex` flag, as it is or as `{ duplex }`. */
export type PipeOptions = boolean | { readonly duplex?: boolean };

/**
 * One end of a {@link Pipe} (Python's `multiprocessing.connection.Connection`). The ends of a
 * one-way `Pipe(false)` go one way only: `send` on the receiving end and `recv` (or `for await`)
 * on the sending end reject with InvalidStateError, here and in any worker it was passed to.
 */
export class Connection<Send = unknown, Receive = Send> implements AsyncIterable<Receive> {
  readonly #outgoing: ChannelQueue<Send> | null;
  readonly #incoming: ChannelQueue<Receive> | null;

  /** @internal Use {@link Pipe}. `null` for the direction a one-way end does not have. */
  constructor(outgoing: ChannelQueue<Send> | null, incoming: ChannelQueue<Receive> | null) {
    this.#outgoing = outgoing;
    this.#incoming = incoming;
  }

  /**
   * Sends a value to the other end (copied). Rejects with QueueShutDown once this end is closed,
   * and with InvalidStateError on the receiving end of a one-way `Pipe(false)`.
   */
  send(value: Send, options?: ChannelWaitOptions): Promise<void> {
    if (!this.#outgoing) return Promise.reject(wrongWay("send"));
    return this.#outgoing.put(value, options);
  }

  /**
   * Receives the next value from the other end; rejects with QueueShutDown once the other end
   * closed and everything was read, and with InvalidStateError on the sending end of a one-way
   * `Pipe(false)`.
   */
  recv(options?: ChannelWaitOptions): Promise<Receive> {
    if (!this.#incoming) return Promise.reject(wrongWay("recv"));
    return this.#incoming.get(options);
  }

  /**
   * Closes the sending direction: the other end reads what is left, then its iteration ends. On
   * the receiving end of a one-way `Pipe(false)`, closes the one direction there is: the sending
   * end's sends reject with QueueShutDown (where Python's raise BrokenPipeError).
   */
  close(): Promise<void> {
    return (this.#outgoing ?? this.#incoming)!.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<Receive> {
    return iterate(this.#incoming ?? { get: () => Promise.reject(wrongWay("recv")) });
  }

  [SHARED_HANDLE](): SharedDescriptor {
    return { type: TYPE, state: { outgoing: this.#outgoing ?? null, incoming: this.#incoming ?? null }, crossesProcesses: true };
  }
}

/** Python raises OSError "connection is read-only" / "write-only"; this says which end is which. */
function wrongWay(operation: "send" | "recv"): InvalidStateError {
  return operation === "send"
    ? new InvalidStateError(
        "Connection.send(): this is the receiving end of a one-way Pipe(false) (the first of the pair), which cannot send. Send on the second end, or make a duplex pair with Pipe().",
      )
    : new InvalidStateError(
        "Connection.recv(): this is the sending end of a one-way Pipe(false) (the second of the pair), which cannot receive. Receive on the first end, or make a duplex pair with Pipe().",
      );
}

const ACCEPTED = "use Pipe() or Pipe(true) for a duplex pair, Pipe(false) for a one-way one (the first end receives, the second sends), or Pipe({ duplex: true | false })";

/** Python's `duplex` argument, checked: a boolean, or a plain `{ duplex }` object. */
function parseDuplex(options: unknown): boolean {
  if (options === undefined || typeof options === "boolean") return options ?? true;
  const prototype = typeof options === "object" && options !== null ? Object.getPrototypeOf(options) : undefined;
  if (prototype !== Object.prototype && prototype !== null) throw new InvalidArgumentError(`Pipe(): got ${describe(options)}; ${ACCEPTED}.`);
  const unknown = Object.keys(options as object).find((key) => key !== "duplex");
  if (unknown !== undefined) throw new InvalidArgumentError(`Pipe(): got an unknown option "${unknown}"; duplex is the only one: ${ACCEPTED}.`);
  const { duplex } = options as { duplex?: unknown };
  if (duplex !== undefined && typeof duplex !== "boolean") {
    throw new InvalidArgumentError(`Pipe(): duplex must be true or false, got ${describe(duplex)}; ${ACCEPTED}.`);
  }
  return duplex ?? true;
}

/**
 * Python's `multiprocessing.Pipe(duplex=True)`: returns two connected ends. Create it on the main
 * side; pass either end to a worker.
 *
 * - `Pipe()`, `Pipe(true)`, `Pipe({ duplex: true })`: each end sends to and receives from the other.
 * - `Pipe(false)`, `Pipe({ duplex: false })`: one-way, as Python's `Pipe(False)`: the first end only
 *   receives, the second only sends; the other direction rejects with InvalidStateError.
 *
 * Anything else throws InvalidArgumentError.
 */
export function Pipe<A = unknown, B = A>(duplex?: true | { readonly duplex?: true }): [Connection<A, B>, Connection<B, A>];
export function Pipe<T = unknown>(duplex: false | { readonly duplex: false }): [Connection<never, T>, Connection<T, never>];
export function Pipe<A = unknown, B = A>(duplex: PipeOptions): [Connection<A, B>, Connection<B, A>];
export function Pipe(duplex?: unknown): [Connection, Connection] {
  const isDuplex = parseDuplex(duplex);
  const forward = new Queue();
  if (!isDuplex) return [new Connection(null, forward), new Connection(forward, null)];
  const backward = new Queue();
  return [new Connection(forward, backward), new Connection(backward, forward)];
}

registerSharedType(TYPE, (state) => {
  const { outgoing, incoming } = state as { outgoing: ChannelQueue<unknown> | null; incoming: ChannelQueue<unknown> | null };
  return new Connection(outgoing, incoming);
});
