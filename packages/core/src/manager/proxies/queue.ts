/** The proxy of a manager's Queue. */
import { iterate } from "../../channels/queue.js";
import { BaseProxy } from "../proxy.js";
import { parseWait, type WaitOptions } from "../checks.js";

/**
 * Mirrors the proxy of a `queue.Queue` that Python's `SyncManager.Queue()` returns: a FIFO that
 * lives with the manager, shared by every thread and process it is passed to; `JoinableQueue()`
 * gives the same (it has `taskDone` and `join`). Each call is one round trip — for a queue that
 * streams many items, weft's `multiprocessing.Queue` batches them and is faster.
 *
 * A wait that times out rejects with TimeoutError (Python raises queue.Full / queue.Empty).
 * `close()` is Python 3.13's `shutdown()`: later puts reject with QueueShutDown, gets drain what is
 * left, then reject with it; `for await` ends there.
 */
export class QueueProxy<T = unknown> extends BaseProxy implements AsyncIterable<T> {
  /** The bound given at creation (0: unbounded). */
  get maxsize(): number {
    return (this.ref.info as number | undefined) ?? 0;
  }

  /** Python's `q.put(item, timeout=…)`: waits while the queue is full. */
  put(item: T, options?: WaitOptions): Promise<void> {
    return this.#waiting("put", options, item) as Promise<void>;
  }

  /** Python's `q.get(timeout=…)`: takes the oldest item, waiting while empty. */
  get(options?: WaitOptions): Promise<T> {
    return this.#waiting("get", options) as Promise<T>;
  }

  /** Python's `q.qsize()`: a snapshot. */
  qsize(): Promise<number> {
    return this.invoke("qsize", []) as Promise<number>;
  }

  /** Python's `q.empty()`: a snapshot. */
  async empty(): Promise<boolean> {
    return (await this.qsize()) === 0;
  }

  /** Python's `q.full()`: a snapshot. */
  async full(): Promise<boolean> {
    return this.maxsize > 0 && (await this.qsize()) >= this.maxsize;
  }

  /** Python's `q.task_done()`; rejects with InvalidStateError if called more times than items were put. */
  taskDone(): Promise<void> {
    return this.invoke("taskDone", []) as Promise<void>;
  }

  /** Python's `q.join()`: waits until every item put was marked done. */
  join(options?: WaitOptions): Promise<void> {
    return this.#waiting("join", options) as Promise<void>;
  }

  /** Python 3.13's `q.shutdown()`, for every side. */
  close(): Promise<void> {
    return this.invoke("close", []) as Promise<void>;
  }

  /** `for await (const item of q)`: takes items until the queue is closed and drained. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* iterate(this);
  }

  #waiting(method: "put" | "get" | "join", options: WaitOptions | undefined, ...item: unknown[]): Promise<unknown> {
    try {
      const wait = parseWait(options, ["timeout", "signal"], `manager Queue.${method}()`);
      return this.invoke(method, [...item, wait.timeout], wait.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
