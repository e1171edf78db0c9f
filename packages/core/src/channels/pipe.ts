/**
 * multiprocessing's Pipe: two connected ends. What one end sends, the other receives, in order;
 * each end can be passed to a thread or a process. Built on two channel queues.
 */
import { SHARED_HANDLE, registerSharedType, type SharedDescriptor } from "../shared-handle.js";
import { type ChannelQueue, type ChannelWaitOptions, Queue, iterate } from "./queue.js";

const TYPE = "weft.channel.Connection";

/** One end of a {@link Pipe} (Python's `multiprocessing.connection.Connection`). */
export class Connection<Send = unknown, Receive = Send> implements AsyncIterable<Receive> {
  readonly #outgoing: ChannelQueue<Send>;
  readonly #incoming: ChannelQueue<Receive>;

  /** @internal Use {@link Pipe}. */
  constructor(outgoing: ChannelQueue<Send>, incoming: ChannelQueue<Receive>) {
    this.#outgoing = outgoing;
    this.#incoming = incoming;
  }

  /** Sends a value to the other end (copied). Rejects with QueueShutDown once this end is closed. */
  send(value: Send, options?: ChannelWaitOptions): Promise<void> {
    return this.#outgoing.put(value, options);
  }

  /** Receives the next value from the other end; rejects with QueueShutDown once the other end closed and everything was read. */
  recv(options?: ChannelWaitOptions): Promise<Receive> {
    return this.#incoming.get(options);
  }

  /** Closes the sending direction: the other end reads what is left, then its iteration ends. */
  close(): Promise<void> {
    return this.#outgoing.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<Receive> {
    return iterate(this.#incoming);
  }

  [SHARED_HANDLE](): SharedDescriptor {
    return { type: TYPE, state: { outgoing: this.#outgoing, incoming: this.#incoming }, crossesProcesses: true };
  }
}

/**
 * Python's `multiprocessing.Pipe()` (duplex): returns two connected ends. Create it on the main
 * side; pass either end to a worker.
 */
export function Pipe<A = unknown, B = A>(): [Connection<A, B>, Connection<B, A>] {
  const forward = new Queue<A>();
  const backward = new Queue<B>();
  return [new Connection<A, B>(forward, backward), new Connection<B, A>(backward, forward)];
}

registerSharedType(TYPE, (state) => {
  const { outgoing, incoming } = state as { outgoing: ChannelQueue<unknown>; incoming: ChannelQueue<unknown> };
  return new Connection(outgoing, incoming);
});
