/**
 * The tasks waiting for a worker: a FIFO with O(1) push, shift, put-back-in-front and removal
 * from the middle. The queue keeps its own set of the items it holds; a removed item leaves the
 * set, stays in place in the array and is skipped when reached — the item carries no queue state.
 */
export class TaskQueue<T extends object> {
  #items: (T | undefined)[] = [];
  #head = 0;
  readonly #members = new Set<T>();

  get size(): number {
    return this.#members.size;
  }

  has(item: T): boolean {
    return this.#members.has(item);
  }

  push(item: T): void {
    this.#items.push(item);
    this.#members.add(item);
  }

  /** Puts items back at the front, keeping their order (a worker died with tasks it never started). */
  unshiftAll(items: readonly T[]): void {
    if (items.length === 0) return;
    const rest = this.#items.slice(this.#head);
    this.#items = [...items, ...rest];
    this.#head = 0;
    for (const item of items) this.#members.add(item);
  }

  /** The item `shift()` would return, left in place. */
  peek(): T | undefined {
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head];
      if (item && this.#members.has(item)) return item;
      this.#items[this.#head++] = undefined;
    }
    return undefined;
  }

  shift(): T | undefined {
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head];
      this.#items[this.#head++] = undefined;
      if (item && this.#members.delete(item)) {
        this.#compact();
        return item;
      }
    }
    this.#compact();
    return undefined;
  }

  /** Removes `item` if it is queued; it is skipped when reached. Returns false if it was not queued. */
  remove(item: T): boolean {
    return this.#members.delete(item);
  }

  drain(): T[] {
    const out: T[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const item = this.#items[i];
      if (item && this.#members.delete(item)) out.push(item);
    }
    this.#items = [];
    this.#head = 0;
    return out;
  }

  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
