/**
 * Reads a client's own results stream (see ClientKeys in protocol.ts) on a connection of its
 * own, and trims what it has read, so the stream holds little more than what is on its way. Only this client
 * reads it: K clients read K streams, each its own results, and a client that falls behind (stopped,
 * swamped) finds everything waiting when it reads again. A read that fails (Redis restarted,
 * connection lost) is retried; a read that hangs beyond its block time (a connection that died
 * silently) is abandoned and the connection renewed.
 */
import type { Redis } from "ioredis";
import { refusalOf } from "./connection.js";

/** One entry of the results stream: its stream id and its fields (see RESULT_FIELDS). */
export interface ResultEntry {
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** Entries read per XREAD: enough to catch up quickly, few enough to bound what one read holds. */
const READ_COUNT = 500;
/** How long one XREAD blocks on the server (ms). */
const BLOCK_MS = 5000;
/** A read not answered this long after its block time ended is taken for a dead connection (ms). */
const WATCHDOG_MARGIN_MS = 5000;
/** Pause before reading again after a failed read (ms): the connection retries meanwhile. */
const RETRY_MS = 250;
/**
 * Entries read are trimmed with the next read once this long has passed since the last trim
 * (ms), or once a full read's worth is waiting. Not with every read: the trim is answered at once
 * while the blocking read is answered later, so trimming with each read would cost a reply, and
 * a socket read, per result delivered one at a time.
 */
const TRIM_EVERY_MS = 100;

type StreamEntries = [id: string, fields: string[]][];
type StreamReply = [key: string, entries: StreamEntries][] | null;

export class ResultsReader {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #onEntry: (entry: ResultEntry) => void;
  readonly #onRefused: (error: unknown) => void;
  #lastId = "0-0";
  #trimmedTo = "0-0";
  #trimmedAt = 0;
  /** Entries read since the last trim was sent. */
  #untrimmed = 0;
  #caughtUp = 0;
  #closed = false;

  /**
   * `redis` must be this reader's own connection, made with `maxRetriesPerRequest: 0`, so that
   * a read in flight when the connection drops fails instead of waiting (see {@link readerOptions}).
   */
  constructor(redis: Redis, key: string, onEntry: (entry: ResultEntry) => void, onRefused: (error: unknown) => void) {
    this.#redis = redis;
    this.#key = key;
    this.#onEntry = onEntry;
    this.#onRefused = onRefused;
  }

  /**
   * How many reads so far reached the end of the stream (fewer entries than asked for): every
   * entry written before such a read began was handled by the time it counts.
   */
  get caughtUp(): number {
    return this.#caughtUp;
  }

  /** Reads until {@link close}. */
  async run(): Promise<void> {
    while (!this.#closed) {
      let entries: StreamEntries | "late";
      try {
        entries = await this.#read();
      } catch (error) {
        // A refusal (NOPERM: the user may not read or trim this stream) is not cured by retrying:
        // without this reader no result arrives, so the pool must hear of it, not wait.
        if (refusalOf(error)) {
          this.#closed = true;
          this.#onRefused(error);
          return;
        }
        if (!this.#closed) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      if (entries === "late") {
        if (!this.#closed) this.#redis.disconnect(true);
        continue;
      }
      for (const [id, list] of entries) {
        if (this.#closed) return;
        this.#lastId = id;
        this.#untrimmed++;
        const fields: Record<string, string> = {};
        for (let i = 0; i + 1 < list.length; i += 2) fields[list[i]!] = list[i + 1]!;
        this.#onEntry({ id, fields });
      }
      if (entries.length < READ_COUNT) this.#caughtUp++;
    }
  }

  /** Stops reading and drops the connection at once (a blocked read is abandoned). */
  close(): void {
    this.#closed = true;
    this.#redis.disconnect();
  }

  /**
   * One round trip: trims the entries read before (they were handled) if a trim is due (see
   * TRIM_EVERY_MS), then reads the next ones, blocking until there are some.
   */
  #read(): Promise<StreamEntries | "late"> {
    const pipeline = this.#redis.pipeline();
    const trimTo = this.#lastId;
    const now = performance.now();
    const trim = trimTo !== this.#trimmedTo && (this.#untrimmed >= READ_COUNT || now - this.#trimmedAt >= TRIM_EVERY_MS);
    if (trim) pipeline.xtrim(this.#key, "MINID", nextStreamId(trimTo));
    pipeline.xread("COUNT", READ_COUNT, "BLOCK", BLOCK_MS, "STREAMS", this.#key, this.#lastId);
    const untrimmed = this.#untrimmed;
    const read = pipeline.exec().then((replies): StreamEntries => {
      for (const [error] of replies ?? []) if (error) throw error;
      if (trim) {
        this.#trimmedTo = trimTo;
        this.#trimmedAt = now;
        this.#untrimmed -= untrimmed;
      }
      const reply = replies?.[replies.length - 1]?.[1] as StreamReply;
      return reply?.[0]?.[1] ?? [];
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

/** The stream id right after `id` ("ms-seq" → "ms-(seq+1)"): trimming to it removes `id` itself. */
export function nextStreamId(id: string): string {
  const dash = id.indexOf("-");
  // A sequence number counts entries added in one millisecond: far below 2^53.
  return `${id.slice(0, dash)}-${Number(id.slice(dash + 1)) + 1}`;
}
