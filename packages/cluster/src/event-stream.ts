/**
 * Reads a BullMQ queue's events stream on a connection of its own, and tells when the stream was
 * trimmed past the last entry read (BullMQ caps it, about 10,000 entries by default): a client
 * that fell behind has then lost events, and must look its jobs up (see reconcile.ts). A read
 * that fails (Redis restarted, connection lost) is retried; a read that hangs beyond its block
 * time (a connection that died silently) is abandoned and the connection renewed.
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

type StreamEntries = [id: string, fields: string[]][];
type StreamReply = [key: string, entries: StreamEntries][] | null;
interface Read {
  readonly firstId: string | undefined;
  readonly entries: StreamEntries;
}

export class EventStreamReader {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #onEvent: (event: QueueEvent) => void;
  readonly #onGap: () => void;
  #lastId: string;
  #closed = false;

  /**
   * `redis` must be this reader's own connection, made with `maxRetriesPerRequest: 0`, so that
   * a read in flight when the connection drops fails instead of waiting (see {@link readerOptions}).
   * `onGap` is called when entries after the last one read were trimmed away unread.
   */
  constructor(redis: Redis, key: string, fromId: string, onEvent: (event: QueueEvent) => void, onGap: () => void) {
    this.#redis = redis;
    this.#key = key;
    this.#lastId = fromId;
    this.#onEvent = onEvent;
    this.#onGap = onGap;
  }

  /** The id of the last entry read (or the start id, before any). */
  get lastId(): string {
    return this.#lastId;
  }

  /** Reads until {@link close}. */
  async run(): Promise<void> {
    while (!this.#closed) {
      let read: Read | "late";
      try {
        read = await this.#read();
      } catch {
        if (!this.#closed) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      if (read === "late") {
        if (!this.#closed) this.#redis.disconnect(true);
        continue;
      }
      // The stream's first entry is newer than the last one read: what lay between is gone.
      if (read.firstId !== undefined && compareStreamIds(read.firstId, this.#lastId) > 0) this.#onGap();
      for (const [id, list] of read.entries) {
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

  /**
   * One round trip: the stream's first id, then the entries after the last one read. Redis runs
   * the two back to back, so a trim between them is impossible (a blocked read wakes on the very
   * entry that would trim, which cannot trim past an up-to-date reader).
   */
  #read(): Promise<Read | "late"> {
    const pipeline = this.#redis.pipeline();
    pipeline.xrange(this.#key, "-", "+", "COUNT", 1);
    pipeline.xread("COUNT", READ_COUNT, "BLOCK", BLOCK_MS, "STREAMS", this.#key, this.#lastId);
    const read = pipeline.exec().then((replies): Read => {
      const [[firstError, first] = [], [readError, entries] = []] = replies ?? [];
      if (firstError || readError) throw firstError ?? readError;
      return { firstId: (first as StreamEntries | undefined)?.[0]?.[0], entries: (entries as StreamReply)?.[0]?.[1] ?? [] };
    });
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
