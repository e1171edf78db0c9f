/** The proxy of a manager's list. */
import { InvalidArgumentError } from "../../errors.js";
import { checkKnownKeys, describe } from "../../options.js";
import { BaseProxy } from "../proxy.js";
import { checkIndex } from "../checks.js";

/**
 * Mirrors Python's `ListProxy` (what `SyncManager.list()` returns): a list that lives with the
 * manager, shared by every thread and process it is passed to. Every method is one round trip to
 * the manager, and atomic there. Items are copies: changing what `get` gave does not change the
 * list — set it back, or store a proxy instead (proxies nest).
 *
 * Python → weft: `l[i]` → `await l.get(i)` (negative counts from the end; out of range rejects
 * with InvalidArgumentError where Python raises IndexError); `l[i] = x` → `await l.set(i, x)`;
 * `del l[i]` → `await l.delete(i)`; `len(l)` → `await l.len()`; `x in l` → `await l.includes(x)`;
 * `l[a:b]` → `await l.slice(a, b)`; `list(l)` → `await l.toArray()`. `index`, `count`, `remove`
 * and `includes` compare by content, as Python's `==` does.
 */
export class ListProxy<T = unknown> extends BaseProxy implements AsyncIterable<T> {
  /** Python's `l[index]`. */
  get(index: number): Promise<T> {
    return this.#indexed("get", index);
  }

  /** Python's `l[index] = value`. */
  set(index: number, value: T): Promise<void> {
    return this.#indexed("set", index, value);
  }

  /** Python's `del l[index]`. */
  delete(index: number): Promise<void> {
    return this.#indexed("delete", index);
  }

  /** Python's `len(l)`. */
  len(): Promise<number> {
    return this.invoke("len", []) as Promise<number>;
  }

  /** Python's `l.append(item)`. */
  append(item: T): Promise<void> {
    return this.invoke("append", [item]) as Promise<void>;
  }

  /** Python's `l.extend(items)`. Atomic: no other call lands between the items. */
  extend(items: Iterable<T>): Promise<void> {
    if (items === null || typeof (items as Partial<Iterable<T>>)?.[Symbol.iterator] !== "function") {
      return Promise.reject(new InvalidArgumentError(`manager list.extend(): pass an iterable of items, got ${describe(items)}.`));
    }
    return this.invoke("extend", [Array.from(items)]) as Promise<void>;
  }

  /** Python's `l.insert(index, item)` (an index past either end inserts at that end). */
  insert(index: number, item: T): Promise<void> {
    return this.#indexed("insert", index, item);
  }

  /** Python's `l.pop(index = -1)`: removes and resolves the item. */
  pop(index = -1): Promise<T> {
    return this.#indexed("pop", index);
  }

  /** Python's `l.remove(item)`: removes the first equal item; rejects with InvalidArgumentError if none (Python: ValueError). */
  remove(item: T): Promise<void> {
    return this.invoke("remove", [item]) as Promise<void>;
  }

  /** Python's `l.index(item)`: the first equal item's index; rejects with InvalidArgumentError if none (Python: ValueError). */
  index(item: T): Promise<number> {
    return this.invoke("index", [item]) as Promise<number>;
  }

  /** Python's `l.count(item)`. */
  count(item: T): Promise<number> {
    return this.invoke("count", [item]) as Promise<number>;
  }

  /** Python's `item in l`. */
  includes(item: T): Promise<boolean> {
    return this.invoke("includes", [item]) as Promise<boolean>;
  }

  /** Python's `l.reverse()`. */
  reverse(): Promise<void> {
    return this.invoke("reverse", []) as Promise<void>;
  }

  /**
   * Python's `l.sort(reverse=False)`: numbers (and bigints) by value, strings by code unit, arrays
   * element by element; other items reject with InvalidArgumentError (Python: TypeError) and leave
   * the list as it was. No `key` function: a function cannot cross to the manager.
   */
  sort(options?: { readonly reverse?: boolean }): Promise<void> {
    try {
      checkKnownKeys(options, ["reverse"], "manager list.sort()");
      const reverse = options?.reverse ?? false;
      if (typeof reverse !== "boolean") throw new InvalidArgumentError(`manager list.sort(): reverse must be a boolean, got ${describe(reverse)}.`);
      return this.invoke("sort", [reverse]) as Promise<void>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Python's `l[start:end]` (negative counts from the end; both optional). */
  slice(start?: number, end?: number): Promise<T[]> {
    try {
      if (start !== undefined) checkIndex(start, "manager list.slice()");
      if (end !== undefined) checkIndex(end, "manager list.slice()");
      return this.invoke("slice", [start, end]) as Promise<T[]>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Python's `list(l)` / `l[:]`: a local array with a copy of every item. */
  toArray(): Promise<T[]> {
    return this.invoke("slice", []) as Promise<T[]>;
  }

  /** `for await (const item of l)`: the items as they were when the loop started (one round trip). */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* await this.toArray();
  }

  #indexed<R>(method: string, index: unknown, ...rest: unknown[]): Promise<R> {
    try {
      return this.invoke(method, [checkIndex(index, `manager list.${method}()`), ...rest]) as Promise<R>;
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
