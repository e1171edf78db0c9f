/**
 * Equality and order of the values a managed list holds, as Python's `==` and `<` see them: by
 * content (lists element by element, dicts key by key), since every value is a copy and never the
 * caller's own object. Used by `index`, `count`, `remove`, `includes` and `sort`.
 */
import { InvalidArgumentError } from "../errors.js";
import { describe } from "../options.js";
import { BaseProxy } from "./proxy.js";

/** Python's `==` over copied data: numbers by value (NaN equals NaN), containers by content, proxies by referent. */
export function valuesEqual(a: unknown, b: unknown, seen = new Map<object, object>()): boolean {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (a instanceof BaseProxy) return a.sameReferent(b);
  // A cycle compares equal where it closes on the same pair.
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => valuesEqual(item, b[i], seen));
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [key, value] of a) if (!b.has(key) || !valuesEqual(value, b.get(key), seen)) return false;
    return true;
  }
  if (a instanceof Set) {
    if (!(b instanceof Set) || a.size !== b.size) return false;
    for (const item of a) if (!b.has(item)) return false;
    return true;
  }
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && valuesEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], seen));
}

const isNumeric = (value: unknown): value is number | bigint | boolean => typeof value === "number" || typeof value === "bigint" || typeof value === "boolean";

/**
 * Python's `<` as `sort` uses it: numbers (and bigints, booleans) by value, strings by code unit,
 * arrays element by element. Anything else cannot be ordered (Python raises TypeError).
 */
export function compareValues(a: unknown, b: unknown): number {
  if (isNumeric(a) && isNumeric(b)) {
    const x = typeof a === "boolean" ? Number(a) : a;
    const y = typeof b === "boolean" ? Number(b) : b;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < a.length && i < b.length; i++) {
      const order = compareValues(a[i], b[i]);
      if (order !== 0) return order;
    }
    return a.length - b.length;
  }
  throw new InvalidArgumentError(
    `manager list.sort(): ${describe(a)} and ${describe(b)} cannot be ordered (numbers, strings and arrays of them can; Python raises TypeError).`,
  );
}
