/**
 * What gather/asCompleted/shield accept, and how each kind becomes something to wait on. Internal.
 */
import { InvalidArgumentError } from "../errors.js";
import { describe, isThenable } from "./internal.js";
import { Task, createTask } from "./task.js";

/**
 * Something to wait for: a {@link Task}, any promise / PromiseLike, or a function `(signal) => Promise`
 * (started as a new Task — the closest JS equivalent of passing a coroutine to Python's gather).
 */
export type Awaitable<T> = Task<T> | PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T> | T);

/** The value an {@link Awaitable} produces. */
export type AwaitedValue<A> = A extends Task<infer T>
  ? T
  : A extends (signal: AbortSignal) => infer R
    ? Awaited<R>
    : Awaited<A>;

/** Turns an awaitable into a Task or a PromiseLike; functions are started as tasks. Throws on anything else. */
export function toAwaitable(item: unknown, where: string, index: number): Task<unknown> | PromiseLike<unknown> {
  if (item instanceof Task) return item;
  if (typeof item === "function") return createTask(item as (signal: AbortSignal) => unknown);
  if (isThenable(item)) return item;
  throw new InvalidArgumentError(
    `${where}: item ${index} is ${describe(item)}; expected a Task, a promise, or a function (signal) => Promise.`,
  );
}

export function toArray(items: unknown, where: string): unknown[] {
  if (items === null || items === undefined || typeof (items as Iterable<unknown>)[Symbol.iterator] !== "function" || typeof items === "string") {
    throw new InvalidArgumentError(`${where} expects an array (or iterable) of tasks/promises/functions, got ${describe(items)}.`);
  }
  return Array.from(items as Iterable<unknown>);
}
