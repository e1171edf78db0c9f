/** The object behind a manager's Value proxy: one value, checked against its typecode. */
import type { Methods } from "../server.js";
import type { ElementKind } from "../../sync/elements.js";
import { checkTyped } from "../typecode.js";

export function valueMethods(kind: ElementKind | null, initial: unknown): Methods {
  let value = initial;
  return {
    get: () => value,
    set: ([next]) => {
      value = checkTyped(kind, next, "manager Value.set()");
    },
  };
}
