/**
 * Runs one task request with a function already resolved: `call`, or `map`/`starmap` over a
 * chunk of items. Returns the value, or a promise of it when the task is asynchronous.
 */
import type { RunRequest } from "../protocol.js";
import { markFreshArray } from "../codec/shapes.js";
import { reviveValue } from "../values.js";
import type { TaskContext } from "./context.js";
import type { TaskFunction } from "./modules.js";

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as PromiseLike<unknown>).then === "function";
}

export { isThenable };

/** Calls `fn` as `request` asks, with `context` as `this`. */
export function runTask(fn: TaskFunction, request: RunRequest, context: TaskContext): unknown {
  const args = request.encoded ? (reviveValue(request.args) as unknown[]) : (request.args as unknown[]);
  if (request.mode === "call") return fn.apply(context, args);
  const items = args[0] as unknown[];
  const results = markFreshArray(new Array<unknown>(items.length));
  let anyAsync = false;
  for (let i = 0; i < items.length; i++) {
    const result = request.mode === "map" ? fn.call(context, items[i]) : fn.apply(context, items[i] as unknown[]);
    if (!anyAsync && isThenable(result)) anyAsync = true;
    results[i] = result;
  }
  return anyAsync ? Promise.all(results) : results;
}
