/** A FIFO with O(1) push, shift, unshift-in-bulk and lazy removal (tombstones). */
export class TaskQueue<T extends { removed: boolean }> {
  #items: (T | undefined)[] = [];
  #head = 0;
  #live = 0;

  get size(): number {
    return this.#live;
  }

  push(item: T): void {
    this.#items.push(item);
    this.#live++;
  }

  /** Puts items back at the front, keeping their order (used when a worker dies with tasks it never started). */
  unshiftAll(items: readonly T[]): void {
    if (items.length === 0) return;
    const rest = this.#items.slice(this.#head);
    this.#items = [...items, ...rest];
    this.#head = 0;
    this.#live += items.length;
  }

  /** The item `shift()` would return, left in place. */
  peek(): T | undefined {
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head];
      if (item && !item.removed) return item;
      this.#items[this.#head++] = undefined;
    }
    return undefined;
  }

  shift(): T | undefined {
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head];
      this.#items[this.#head++] = undefined;
      if (item && !item.removed) {
        this.#live--;
        this.#compact();
        return item;
      }
    }
    this.#compact();
    return undefined;
  }

  /** Marks an item removed; it is skipped when reached. */
  remove(item: T): void {
    if (item.removed) return;
    item.removed = true;
    this.#live--;
  }

  drain(): T[] {
    const out: T[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const item = this.#items[i];
      if (item && !item.removed) out.push(item);
    }
    this.#items = [];
    this.#head = 0;
    this.#live = 0;
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
