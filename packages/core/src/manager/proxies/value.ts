/** The proxy of a manager's Value. */
import { BaseProxy } from "../proxy.js";
import type { ElementKind } from "../../sync/elements.js";

/**
 * Mirrors Python's `ValueProxy` (what `SyncManager.Value(typecode, value)` returns): one value
 * that lives with the manager. Python's `v.value` → `await v.get()`; `v.value = x` →
 * `await v.set(x)`. Unlike Python, weft checks each value set against the typecode (an
 * InvalidArgumentError if it does not fit).
 *
 * `get` then `set` is two round trips, and another side may set it between them: to update it
 * exactly from many sides, hold a manager Lock around both (as in Python).
 */
export class ValueProxy<T = unknown> extends BaseProxy {
  /** The typecode, as weft's element kind (`"int32"` for Python's `"i"`), or null when any value goes. */
  get typecode(): ElementKind | null {
    return (this.ref.info as ElementKind | null | undefined) ?? null;
  }

  /** Python's `v.value`. */
  get(): Promise<T> {
    return this.invoke("get", []) as Promise<T>;
  }

  /** Python's `v.value = value`. */
  set(value: T): Promise<void> {
    return this.invoke("set", [value]) as Promise<void>;
  }
}
