/** The object behind a manager's Namespace proxy: named attributes, on the manager's side. */
import type { Methods } from "../server.js";

export function namespaceMethods(attributes: Map<string, unknown>): Methods {
  return {
    get: ([name]) => attributes.get(name as string),
    set: ([name, value]) => void attributes.set(name as string, value),
    has: ([name]) => attributes.has(name as string),
    delete: ([name]) => attributes.delete(name as string),
    toObject: () => Object.fromEntries(attributes),
  };
}
