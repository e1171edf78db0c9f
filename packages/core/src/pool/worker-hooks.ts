/**
 * A pool's worker hooks on the caller's side: checks the `initializer`, `initargs` and
 * `teardown` options up front and builds the setup message every new worker gets.
 */
import { InvalidArgumentError } from "../errors.js";
import type { WorkerKind } from "../port.js";
import type { HookCall, SetupMessage } from "../protocol.js";
import { type AnyFunction, inlineSource } from "../task-ref.js";
import { prepareArgs } from "../values.js";

/** How long (ms) a worker's teardown may run before the worker is stopped anyway. */
export const TEARDOWN_BOUND_MS = 5_000;

/** The hook options of a pool (see PoolOptions). */
export interface WorkerHookOptions {
  readonly initializer?: string | AnyFunction;
  readonly initargs?: readonly unknown[];
  readonly teardown?: string | AnyFunction;
}

/** Checks the hook options; returns the setup message for new workers, or undefined when there are no hooks. */
export function buildSetup(options: WorkerHookOptions, module: string | undefined, kind: WorkerKind): SetupMessage | undefined {
  const { initializer, initargs, teardown } = options;
  if (initargs !== undefined && !Array.isArray(initargs)) {
    throw new InvalidArgumentError(`initargs must be an array (the initializer's argument list, as Python's initargs tuple); got ${initargs === null ? "null" : typeof initargs}.`);
  }
  if (initargs !== undefined && initializer === undefined) {
    throw new InvalidArgumentError("initargs were given without an initializer; set initializer too, or leave initargs out.");
  }
  if (initializer === undefined && teardown === undefined) return undefined;
  let init: HookCall | undefined;
  if (initializer !== undefined) {
    const prepared = prepareArgs(initargs ?? [], kind);
    init = { target: hookTarget(initializer, "initializer", module), args: prepared.args, encoded: prepared.encoded };
  }
  const down: HookCall | undefined = teardown === undefined ? undefined : { target: hookTarget(teardown, "teardown", module), args: [], encoded: false };
  return { type: "setup", ...(init ? { initializer: init } : {}), ...(down ? { teardown: down } : {}) };
}

function hookTarget(hook: unknown, what: "initializer" | "teardown", module: string | undefined): HookCall["target"] {
  if (typeof hook === "function") return { source: inlineSource(hook as AnyFunction), name: (hook as AnyFunction).name || `<inline ${what}>` };
  if (typeof hook !== "string" || hook.length === 0) {
    throw new InvalidArgumentError(
      `${what} must be the name of a function exported by the task module, or a self-contained function; got ${typeof hook === "string" ? "an empty string" : hook === null ? "null" : typeof hook}.`,
    );
  }
  if (module === undefined) {
    throw new InvalidArgumentError(`The ${what} "${hook}" is given by name, but no task module was set. Pass { module: new URL("./tasks.js", import.meta.url) }, or give the ${what} as a function.`);
  }
  return { module, name: hook };
}
