/** The proxy of a manager's Namespace. */
import { BaseProxy } from "../proxy.js";
import { checkName } from "../checks.js";

/**
 * Mirrors Python's `NamespaceProxy` (what `SyncManager.Namespace()` returns): named attributes
 * that live with the manager, shared by every thread and process it is passed to. Each method is
 * one round trip, atomic on the manager's side; values are copies.
 *
 * Python → weft: `ns.x` → `await ns.get("x")` (undefined when missing, where Python raises
 * AttributeError); `ns.x = 1` → `await ns.set("x", 1)`; `del ns.x` → `await ns.delete("x")`;
 * `hasattr(ns, "x")` → `await ns.has("x")`; `vars(ns)` → `await ns.toObject()`.
 */
export class NamespaceProxy<T extends Record<string, unknown> = Record<string, unknown>> extends BaseProxy {
  /** Python's `ns.name`: the attribute's value, or undefined when it is not set. */
  get<N extends keyof T & string>(name: N): Promise<T[N] | undefined> {
    return this.#named("get", name) as Promise<T[N] | undefined>;
  }

  /** Python's `ns.name = value`. */
  set<N extends keyof T & string>(name: N, value: T[N]): Promise<void> {
    return this.#named("set", name, value) as Promise<void>;
  }

  /** Python's `hasattr(ns, name)`. */
  has(name: keyof T & string): Promise<boolean> {
    return this.#named("has", name) as Promise<boolean>;
  }

  /** Python's `del ns.name`; resolves false when it was not set (Python raises AttributeError). */
  delete(name: keyof T & string): Promise<boolean> {
    return this.#named("delete", name) as Promise<boolean>;
  }

  /** Python's `vars(ns)`: a plain object with a copy of every attribute. */
  toObject(): Promise<Partial<T>> {
    return this.invoke("toObject", []) as Promise<Partial<T>>;
  }

  #named(method: string, name: unknown, ...rest: unknown[]): Promise<unknown> {
    try {
      return this.invoke(method, [checkName(name, `manager Namespace.${method}()`), ...rest]);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
