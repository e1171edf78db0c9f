/**
 * The items of a channel queue, oldest first, each with its arrival number: a FIFO kept in chunks
 * of fixed size. One flat array grown to hundreds of thousands of items cost JavaScriptCore up to
 * 1 µs per push (measured, Bun: 0.4–1.0 µs against 0.1–0.3 µs in chunks), and a queue that fills
 * before anyone reads it is the common case of a producer running ahead.
 */

const CHUNK = 1024;

interface Chunk<T> {
  readonly values: (T | undefined)[];
  /** Arrival numbers, one per value; absent for an adopted batch, whose numbers run from `firstSeq`. */
  readonly seqs: number[] | undefined;
  readonly firstSeq: number;
  /** An adopted batch: nothing is appended to it. */
  readonly sealed: boolean;
  /** The first item of this chunk not taken yet. */
  head: number;
}

/** An item with its arrival number (the order in which items given back are put back). */
export interface Entry<T> {
  readonly value: T;
  readonly seq: number;
}

export class ItemDeque<T> {
  #chunks: Chunk<T>[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(value: T, seq: number): void {
    let last = this.#chunks[this.#chunks.length - 1];
    if (last === undefined || last.sealed || last.values.length === CHUNK) {
      last = { values: [], seqs: [], firstSeq: 0, sealed: false, head: 0 };
      this.#chunks.push(last);
    }
    last.values.push(value);
    last.seqs!.push(seq);
    this.#length++;
  }

  /**
   * Appends a batch whose arrival numbers run from `firstSeq`, keeping the array itself (this
   * deque owns it from now on): a batch that crossed from a worker is queued without copying
   * each item, and without the garbage of the chunks a copy would fill.
   */
  adopt(values: T[], firstSeq: number): void {
    if (values.length === 0) return;
    this.#chunks.push({ values, seqs: undefined, firstSeq, sealed: true, head: 0 });
    this.#length += values.length;
  }

  /** Takes the oldest item (the deque must not be empty). */
  shift(): T {
    const chunk = this.#chunks[0]!;
    const value = chunk.values[chunk.head] as T;
    chunk.values[chunk.head] = undefined;
    this.#advance(chunk);
    return value;
  }

  /** Takes up to `count` of the oldest items, with their arrival numbers. */
  take(count: number): Entry<T>[] {
    const out: Entry<T>[] = [];
    while (out.length < count && this.#length > 0) {
      const chunk = this.#chunks[0]!;
      out.push({ value: chunk.values[chunk.head] as T, seq: chunk.seqs ? chunk.seqs[chunk.head]! : chunk.firstSeq + chunk.head });
      chunk.values[chunk.head] = undefined;
      this.#advance(chunk);
    }
    return out;
  }

  /**
   * Moves up to `count` of the oldest items to the end of `target`, keeping their arrival numbers,
   * and returns their values: a worker's prefetch, handed over and still held for it.
   */
  moveTo(target: ItemDeque<T>, count: number): T[] {
    const values: T[] = [];
    while (values.length < count && this.#length > 0) {
      const chunk = this.#chunks[0]!;
      const value = chunk.values[chunk.head] as T;
      target.push(value, chunk.seqs ? chunk.seqs[chunk.head]! : chunk.firstSeq + chunk.head);
      values.push(value);
      chunk.values[chunk.head] = undefined;
      this.#advance(chunk);
    }
    return values;
  }

  /** Forgets up to `count` of the oldest items (a worker reported it took them); returns how many went. */
  drop(count: number): number {
    let dropped = 0;
    while (dropped < count && this.#length > 0) {
      const chunk = this.#chunks[0]!;
      const n = Math.min(count - dropped, chunk.values.length - chunk.head);
      chunk.values.fill(undefined, chunk.head, chunk.head + n);
      chunk.head += n - 1;
      this.#length -= n - 1;
      this.#advance(chunk);
      dropped += n;
    }
    return dropped;
  }

  /** Puts `entries` (sorted by arrival number) back among the items here, in arrival order. */
  merge(entries: readonly Entry<T>[]): void {
    const rest = this.take(this.#length);
    let i = 0;
    let j = 0;
    while (i < entries.length || j < rest.length) {
      const entry = j >= rest.length || (i < entries.length && entries[i]!.seq < rest[j]!.seq) ? entries[i++]! : rest[j++]!;
      this.push(entry.value, entry.seq);
    }
  }

  #advance(chunk: Chunk<T>): void {
    chunk.head++;
    this.#length--;
    // A used-up chunk goes, unless it is the last one and may still take pushes.
    if (chunk.head === chunk.values.length && (this.#chunks.length > 1 || this.#length === 0)) this.#chunks.shift();
  }
}
