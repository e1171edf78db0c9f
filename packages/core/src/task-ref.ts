/**
 * Task references. A worker runs a function exported by a task module given by URL (as Python
 * needs an importable target), or a self-contained inline function sent as source.
 */
import { InvalidArgumentError, TaskReferenceError } from "./errors.js";
import type { TaskTarget } from "./protocol.js";

// biome-ignore lint: the widest function type is what a task module may export.
export type AnyFunction = (...args: any[]) => any;

/** The names of a task module's exported functions. */
export type TaskName<M> = { [K in keyof M]: M[K] extends AnyFunction ? K : never }[keyof M] & string;
/** The argument tuple of task `K` of module `M`. */
export type TaskArgs<M, K extends keyof M> = M[K] extends (...args: infer A) => unknown ? A : never;
/** The (awaited) result of task `K` of module `M`. */
export type TaskResult<M, K extends keyof M> = M[K] extends (...args: never[]) => infer R ? Awaited<R> : never;

/** A task given by name (an export of module `M`) or as a self-contained function. */
export type TaskOf<M> = TaskName<M> | AnyFunction;
/** The argument list of task `T`. */
export type ArgsOf<M, T> = T extends AnyFunction ? Parameters<T> : T extends keyof M ? TaskArgs<M, T> : never;
/** What task `T` resolves to. */
export type ResultOf<M, T> = T extends AnyFunction ? Awaited<ReturnType<T>> : T extends keyof M ? TaskResult<M, T> : never;
/** The one argument `map` passes to task `T` per item. */
export type ItemOf<M, T> = ArgsOf<M, T> extends [infer First, ...unknown[]] ? First : ArgsOf<M, T> extends [] ? never : unknown;

/** Where a task module lives: a URL, or a string URL/path the adapter can import. */
/**
 * What a Thread or Process is typed by: a function's type (`Tasks["add"]`, or inferred from an
 * inline target), or a task module's type (`typeof import("./tasks.js")`) with the export's name.
 */
export type TargetType = AnyFunction | object;
/** True for a function type that says nothing (the default, or one returning `any`). */
type Untyped<F> = F extends (...args: never) => infer R ? (0 extends 1 & R ? true : false) : false;
/**
 * The string targets a Thread or Process typed by `T` takes: any name when untyped; the module's
 * export names when `T` is a module's type; none when `T` is one function's type, whose name the
 * type does not carry — the literal below is the message the type error shows.
 */
export type TargetName<T, K> = T extends AnyFunction
  ? Untyped<T> extends true
    ? string
    : "a string target needs the task module's type to be checked: new Process<typeof import(\"./tasks.js\"), \"name\">({ target: \"name\", … })"
  : K;
/** The names of the functions `T` exports, or string for a function type. */
export type TargetKey<T> = T extends AnyFunction ? string : TaskName<T>;
/** The target's function type. */
export type TargetFunction<T, K> = T extends AnyFunction ? T : K extends keyof T ? (T[K] extends AnyFunction ? T[K] : never) : never;

export type ModuleSpecifier = string | URL;

/**
 * The task module's URL as a string. A relative string ("./tasks.js") is refused: a worker
 * imports it from weft's own files, not from the caller's, so it would name the wrong file —
 * `new URL("./tasks.js", import.meta.url)` names the caller's.
 */
export function moduleUrl(specifier: ModuleSpecifier): string {
  if (specifier instanceof URL) return specifier.href;
  // A URL from another realm (an iframe, a vm context) fails instanceof but is still a URL.
  const href = typeof specifier === "object" && specifier !== null ? (specifier as { href?: unknown }).href : undefined;
  if (typeof href === "string" && href.length > 0) return href;
  if (typeof specifier !== "string" || specifier.length === 0) {
    throw new InvalidArgumentError(
      `module must be a URL or a URL string, e.g. new URL("./tasks.js", import.meta.url); got ${describeSpecifier(specifier)}.`,
    );
  }
  if (/^\.\.?([/\\]|$)/.test(specifier)) {
    throw new InvalidArgumentError(
      `module "${specifier}" is relative, and a worker would resolve it against weft's own files, not yours. ` +
        `Pass new URL(${JSON.stringify(specifier)}, import.meta.url) instead.`,
    );
  }
  return specifier;
}

function describeSpecifier(value: unknown): string {
  if (value === "") return "an empty string";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object without an href" : `${typeof value} ${String(value)}`;
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
