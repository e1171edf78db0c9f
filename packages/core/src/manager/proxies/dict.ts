/** The proxy of a manager's dict. */
import { BaseProxy } from "../proxy.js";
import { checkKey, entriesOf, type DictKey } from "../checks.js";

/**
 * Mirrors Python's `DictProxy` (what `SyncManager.dict()` returns): a dict that lives with the
 * manager, shared by every thread and process it is passed to. Every method is one round trip to
 * the manager, and atomic there. Values are copies: `await d.get(k)` gives a copy, so changing it
 * does not change the dict — set it back, or store a list or dict proxy instead (proxies nest).
 *
 * Python → weft: `d[k]` → `await d.get(k)` (undefined when missing, where Python raises KeyError);
 * `d[k] = v` → `await d.set(k, v)`; `del d[k]` → `await d.delete(k)` (false when missing);
 * `k in d` → `await d.has(k)`; `len(d)` → `await d.len()`; `for k in d` → `for await (const k of d)`
 * (over the keys as they were when the loop started). Keys are primitives (see {@link DictKey}).
 */
export class DictProxy<K extends DictKey = DictKey, V = unknown> extends BaseProxy implements AsyncIterable<K> {
  /** Python's `d.get(key, default)`: the value, or `fallback` (default undefined) when the key is missing. */
  get(key: K): Promise<V | undefined>;
  get<D>(key: K, fallback: D): Promise<V | D>;
  get(key: K, fallback?: unknown): Promise<unknown> {
    return this.#keyed("get", key, fallback);
  }

  /** Python's `d[key] = value`. */
  set(key: K, value: V): Promise<void> {
    return this.#keyed("set", key, value) as Promise<void>;
  }

  /** Python's `key in d`. */
  has(key: K): Promise<boolean> {
    return this.#keyed("has", key) as Promise<boolean>;
  }

  /** Python's `del d[key]`; resolves false when the key was missing (Python raises KeyError). */
  delete(key: K): Promise<boolean> {
    return this.#keyed("delete", key) as Promise<boolean>;
  }

  /** Python's `len(d)`. */
  len(): Promise<number> {
    return this.invoke("len", []) as Promise<number>;
  }

  /** Python's `list(d.keys())`, in insertion order. */
  keys(): Promise<K[]> {
    return this.invoke("keys", []) as Promise<K[]>;
  }

  /** Python's `list(d.values())`. */
  values(): Promise<V[]> {
    return this.invoke("values", []) as Promise<V[]>;
  }

  /** Python's `list(d.items())`: [key, value] pairs. */
  items(): Promise<[K, V][]> {
    return this.invoke("items", []) as Promise<[K, V][]>;
  }

  /** Python's `d.pop(key, default)`: removes the key and resolves its value, or `fallback` when missing. */
  pop(key: K): Promise<V | undefined>;
  pop<D>(key: K, fallback: D): Promise<V | D>;
  pop(key: K, fallback?: unknown): Promise<unknown> {
    return this.#keyed("pop", key, fallback);
  }

  /** Python's `d.popitem()`: removes and resolves the last inserted pair; undefined when empty (Python raises KeyError). */
  popitem(): Promise<[K, V] | undefined> {
    return this.invoke("popitem", []) as Promise<[K, V] | undefined>;
  }

  /** Python's `d.setdefault(key, value)`: sets it if the key is missing; resolves the value now stored. Atomic. */
  setdefault(key: K, value: V): Promise<V> {
    return this.#keyed("setdefault", key, value) as Promise<V>;
  }

  /** Python's `d.update(other)`: a Map, an array of [key, value] pairs, or a plain object. Atomic. */
  update(other: ReadonlyMap<K, V> | Iterable<readonly [K, V]> | Record<string & K, V>): Promise<void> {
    try {
      return this.invoke("update", [entriesOf(other, "manager dict.update()")]) as Promise<void>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Python's `d.clear()`. */
  clear(): Promise<void> {
    return this.invoke("clear", []) as Promise<void>;
  }

  /** Python's `d.copy()`: a local Map with a copy of every pair. */
  copy(): Promise<Map<K, V>> {
    return this.invoke("copy", []) as Promise<Map<K, V>>;
  }

  /** `for await (const key of d)`: the keys as they were when the loop started (one round trip). */
  async *[Symbol.asyncIterator](): AsyncIterator<K> {
    yield* await this.keys();
  }

  #keyed(method: string, key: unknown, ...rest: unknown[]): Promise<unknown> {
    try {
      return this.invoke(method, [checkKey(key, `manager dict.${method}()`), ...rest]);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
