/**
 * Reads a BullMQ queue's events stream on a connection of its own, remembering the id of the
 * last entry read, so that the client can tell when the stream was trimmed past it (see
 * reconcile.ts). A read that fails (Redis restarted, connection lost) is retried; a read that
 * hangs beyond its block time (a connection that died silently) is abandoned and the connection
 * renewed.
 */
import type { Redis } from "ioredis";

/** One entry of the events stream: its stream id and its fields (`event`, `jobId`, `returnvalue`…). */
export interface QueueEvent {
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** Entries read per XREAD: enough to catch up quickly, few enough to keep each read small. */
const READ_COUNT = 1000;
/** How long one XREAD blocks on the server (ms). */
const BLOCK_MS = 5000;
/** A read not answered this long after its block time ended is taken for a dead connection (ms). */
const WATCHDOG_MARGIN_MS = 5000;
/** Pause before reading again after a failed read (ms): the connection retries meanwhile. */
const RETRY_MS = 250;

type StreamReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

export class EventStreamReader {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #onEvent: (event: QueueEvent) => void;
  #lastId: string;
  #closed = false;

  /**
   * `redis` must be this reader's own connection, made with `maxRetriesPerRequest: 0`, so that
   * a read in flight when the connection drops fails instead of waiting (see {@link readerOptions}).
   */
  constructor(redis: Redis, key: string, fromId: string, onEvent: (event: QueueEvent) => void) {
    this.#redis = redis;
    this.#key = key;
    this.#lastId = fromId;
    this.#onEvent = onEvent;
  }

  /** The id of the last entry read (or the start id, before any). */
  get lastId(): string {
    return this.#lastId;
  }

  /** Reads until {@link close}. */
  async run(): Promise<void> {
    while (!this.#closed) {
      let reply: StreamReply | "late";
      try {
        reply = await this.#read();
      } catch {
        if (!this.#closed) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      if (reply === "late") {
        if (!this.#closed) this.#redis.disconnect(true);
        continue;
      }
      for (const [id, list] of reply?.[0]?.[1] ?? []) {
        if (this.#closed) return;
        this.#lastId = id;
        const fields: Record<string, string> = {};
        for (let i = 0; i + 1 < list.length; i += 2) fields[list[i]!] = list[i + 1]!;
        this.#onEvent({ id, fields });
      }
    }
  }

  /** Stops reading and drops the connection at once (a blocked read is abandoned). */
  close(): void {
    this.#closed = true;
    this.#redis.disconnect();
  }

  #read(): Promise<StreamReply | "late"> {
    const read = this.#redis.xread("COUNT", READ_COUNT, "BLOCK", BLOCK_MS, "STREAMS", this.#key, this.#lastId) as Promise<StreamReply>;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), BLOCK_MS + WATCHDOG_MARGIN_MS)));
    return Promise.race([read, late]).finally(() => clearTimeout(timer));
  }
}

/** The options of a reader's own connection: a read in flight when the connection drops fails at once, to be retried. */
export function readerOptions<T extends object>(options: T): T & { maxRetriesPerRequest: number; autoResendUnfulfilledCommands: boolean } {
  return { ...options, maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false };
}

/** Compares two stream ids ("ms-seq"): negative if a is older than b, 0 if equal, positive if newer. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = "0", aSeq = "0"] = a.split("-");
  const [bMs = "0", bSeq = "0"] = b.split("-");
  const ms = BigInt(aMs) - BigInt(bMs);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(aSeq) - BigInt(bSeq);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}
