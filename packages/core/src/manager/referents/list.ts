/** The object behind a manager's list proxy: an array, on the manager's side. */
import { InvalidArgumentError } from "../../errors.js";
import { compareValues, valuesEqual } from "../compare.js";
import type { Methods } from "../server.js";

/** A Python index (negative counts from the end) as an array index; out of range: Python's IndexError. */
function position(list: readonly unknown[], index: unknown, method: string): number {
  const i = index as number;
  const at = i < 0 ? list.length + i : i;
  if (at < 0 || at >= list.length) {
    throw new InvalidArgumentError(`manager list.${method}(): index ${i} is out of range for a list of ${list.length} items (Python raises IndexError).`);
  }
  return at;
}

function find(list: readonly unknown[], item: unknown, method: string): number {
  const at = list.findIndex((value) => valuesEqual(value, item));
  if (at < 0) throw new InvalidArgumentError(`manager list.${method}(x): x is not in the list (Python raises ValueError).`);
  return at;
}

export function listMethods(list: unknown[]): Methods {
  return {
    get: ([index]) => list[position(list, index, "get")],
    set: ([index, value]) => {
      list[position(list, index, "set")] = value;
    },
    delete: ([index]) => void list.splice(position(list, index, "delete"), 1),
    len: () => list.length,
    append: ([item]) => void list.push(item),
    extend: ([items]) => {
      for (const item of items as unknown[]) list.push(item);
    },
    insert: ([index, item]) => {
      // Python clamps an insert's index to the list instead of raising.
      const i = index as number;
      const at = i < 0 ? Math.max(0, list.length + i) : Math.min(i, list.length);
      list.splice(at, 0, item);
    },
    pop: ([index]) => {
      if (list.length === 0) throw new InvalidArgumentError("manager list.pop(): the list is empty (Python raises IndexError).");
      return list.splice(position(list, index ?? -1, "pop"), 1)[0];
    },
    remove: ([item]) => void list.splice(find(list, item, "remove"), 1),
    index: ([item]) => find(list, item, "index"),
    count: ([item]) => list.reduce<number>((count, value) => count + (valuesEqual(value, item) ? 1 : 0), 0),
    includes: ([item]) => list.some((value) => valuesEqual(value, item)),
    reverse: () => void list.reverse(),
    sort: ([reverse]) => {
      // Sorted apart, so that values that cannot be ordered leave the list as it was.
      const sorted = [...list].sort(reverse ? (a, b) => compareValues(b, a) : compareValues);
      for (let i = 0; i < sorted.length; i++) list[i] = sorted[i];
    },
    slice: ([start, end]) => list.slice(start as number | undefined, end as number | undefined),
  };
}
