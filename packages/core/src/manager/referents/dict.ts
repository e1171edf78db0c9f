/** The object behind a manager's dict proxy: a Map, on the manager's side. */
import type { Methods } from "../server.js";

export function dictMethods(map: Map<unknown, unknown>): Methods {
  return {
    get: ([key, fallback]) => (map.has(key) ? map.get(key) : fallback),
    set: ([key, value]) => void map.set(key, value),
    has: ([key]) => map.has(key),
    delete: ([key]) => map.delete(key),
    len: () => map.size,
    keys: () => [...map.keys()],
    values: () => [...map.values()],
    items: () => [...map.entries()],
    pop: ([key, fallback]) => {
      if (!map.has(key)) return fallback;
      const value = map.get(key);
      map.delete(key);
      return value;
    },
    popitem: () => {
      // Python pops the last inserted pair (LIFO).
      let last: [unknown, unknown] | undefined;
      for (const entry of map) last = entry;
      if (last) map.delete(last[0]);
      return last;
    },
    setdefault: ([key, value]) => {
      if (!map.has(key)) map.set(key, value);
      return map.get(key);
    },
    update: ([entries]) => {
      for (const [key, value] of entries as [unknown, unknown][]) map.set(key, value);
    },
    clear: () => map.clear(),
    copy: () => new Map(map),
  };
}
