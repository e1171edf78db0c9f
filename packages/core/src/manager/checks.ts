/** Checks of a proxy's arguments, made on the caller's side so that a bad one fails where it was passed. */
import { InvalidArgumentError } from "../errors.js";
import { checkKnownKeys, checkSignal, checkTimeout, describe } from "../options.js";

/** A dict key: a primitive, so that it finds its entry from any side (an object would arrive as a new copy each time). */
export type DictKey = string | number | bigint | boolean | null | undefined;

export function checkKey(key: unknown, where: string): DictKey {
  if (typeof key === "object" && key !== null) {
    throw new InvalidArgumentError(`${where}: a key must be a string, number, bigint, boolean, null or undefined, got ${describe(key)}: each side gets a copy of an object, so an object key could never be found again (Python requires hashable keys).`);
  }
  if (typeof key === "function" || typeof key === "symbol") {
    throw new InvalidArgumentError(`${where}: a key must be a string, number, bigint, boolean, null or undefined, got ${describe(key)}.`);
  }
  return key as DictKey;
}

/** A Python list index: an integer, negative counting from the end. */
export function checkIndex(index: unknown, where: string): number {
  if (!Number.isSafeInteger(index)) throw new InvalidArgumentError(`${where}: the index must be an integer (negative counts from the end), got ${describe(index)}.`);
  return index as number;
}

export function checkName(name: unknown, where: string): string {
  if (typeof name !== "string") throw new InvalidArgumentError(`${where}: an attribute name must be a string, got ${describe(name)}.`);
  return name;
}

/** Options of a proxy call that may wait (a Queue's put/get/join, a Lock's acquire). */
export interface WaitOptions {
  /** Milliseconds to wait at most (undefined, null or Infinity: no limit). */
  readonly timeout?: number | null;
  /** Aborting it withdraws the waiting call on the manager's side; the call rejects with its reason. */
  readonly signal?: AbortSignal;
}

/** Checked wait options: the timeout the manager applies (null: none) and the signal. */
export interface Wait {
  readonly timeout: number | null;
  readonly signal: AbortSignal | undefined;
}

export function parseWait(options: unknown, allowed: readonly string[], where: string): Wait {
  checkKnownKeys(options, allowed, where);
  const { timeout, signal } = (options ?? {}) as WaitOptions;
  const ms = checkTimeout(timeout, where);
  const checked = checkSignal(signal, where);
  checked?.throwIfAborted();
  return { timeout: ms === Infinity ? null : ms, signal: checked };
}

/** Entries of what `dict.update()` or `manager.dict()` accept: a Map, an iterable of [key, value] pairs, or a plain object. */
export function entriesOf(source: unknown, where: string): [DictKey, unknown][] {
  if (source === undefined || source === null) return [];
  let entries: unknown[];
  if (source instanceof Map) entries = [...source.entries()];
  else if (typeof (source as Iterable<unknown>)[Symbol.iterator] === "function" && typeof source !== "string") entries = [...(source as Iterable<unknown>)];
  else if (typeof source === "object") entries = Object.entries(source);
  else throw new InvalidArgumentError(`${where}: pass a Map, an array of [key, value] pairs or a plain object, got ${describe(source)}.`);
  return entries.map((entry, i) => {
    if (!Array.isArray(entry) || entry.length !== 2) throw new InvalidArgumentError(`${where}: item ${i} is not a [key, value] pair (got ${describe(entry)}).`);
    return [checkKey(entry[0], where), entry[1]];
  });
}
