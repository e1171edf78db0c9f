/**
 * Task references. A worker runs a function exported by a task module given by URL (as Python
 * needs an importable target), or a self-contained inline function sent as source.
 */
import { TaskReferenceError } from "./errors.js";
import type { TaskTarget } from "./protocol.js";

// biome-ignore lint: the widest function type is what a task module may export.
export type AnyFunction = (...args: any[]) => any;

/** The names of a task module's exported functions. */
export type TaskName<M> = { [K in keyof M]: M[K] extends AnyFunction ? K : never }[keyof M] & string;
/** The argument tuple of task `K` of module `M`. */
export type TaskArgs<M, K extends keyof M> = M[K] extends (...args: infer A) => unknown ? A : never;
/** The (awaited) result of task `K` of module `M`. */
export type TaskResult<M, K extends keyof M> = M[K] extends (...args: never[]) => infer R ? Awaited<R> : never;

/** Where a task module lives: a URL, or a string URL/path the adapter can import. */
export type ModuleSpecifier = string | URL;

export function moduleUrl(specifier: ModuleSpecifier): string {
  return specifier instanceof URL ? specifier.href : specifier;
}

const sourceCache = new WeakMap<AnyFunction, string>();

/**
 * The source of a self-contained function, checked to be revivable in a worker. Closures are not
 * carried: a function that reads variables of its enclosing scope fails inside the worker with a
 * ReferenceError that says so.
 */
export function inlineSource(fn: AnyFunction): string {
  const cached = sourceCache.get(fn);
  if (cached !== undefined) return cached;
  const source = Function.prototype.toString.call(fn);
  const label = fn.name ? `"${fn.name}"` : "this anonymous function";
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw new TaskReferenceError(
      `${label} is native or bound (its source is "[native code]") and cannot be sent to a worker. ` +
        `Wrap it in a plain function, or export it from a task module.`,
    );
  }
  if (/^class\b/.test(source)) {
    throw new TaskReferenceError(`${label} is a class; a task must be a function. Export a function from a task module instead.`);
  }
  try {
    new Function(`return (${source});`);
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new TaskReferenceError(
        `${label} is a method (of a class or object literal) and cannot be revived on its own in a worker. ` +
          `Write it as a standalone function or arrow function, or export it from a task module.`,
      );
    }
    // An EvalError means this context forbids eval (a strict CSP): the worker will report it.
  }
  sourceCache.set(fn, source);
  return source;
}

/** Builds the wire target for a task given by name (in `module`) or as an inline function. */
export function resolveTarget(task: string | AnyFunction, module: string | undefined): TaskTarget {
  if (typeof task === "function") return { source: inlineSource(task), name: task.name || "<inline>" };
  if (typeof task !== "string" || task.length === 0) {
    throw new TaskReferenceError(`A task is a function or the name of a function exported by the task module; got ${typeof task === "string" ? "an empty string" : typeof task}.`);
  }
  if (module === undefined) {
    throw new TaskReferenceError(`The task "${task}" is given by name, but no task module was set. Pass { module: new URL("./tasks.js", import.meta.url) }.`);
  }
  return { module, name: task };
}
