/**
 * Finds the function a task names: imports task modules once per worker (remembering a module
 * that failed to load), and compiles inline functions sent as source once per worker.
 */
import { TaskModuleLoadError, TaskReferenceError } from "../errors.js";
import type { TaskTarget } from "../protocol.js";

export type TaskFunction = (...args: unknown[]) => unknown;
type Namespace = Record<string, unknown>;
/** A module namespace in a box: a namespace that exports `then` must never meet a promise's resolve. */
interface Loaded {
  readonly ns: Namespace;
}

/**
 * Imports `url` without letting the promise machinery look at the module's exports: a task
 * module that exports `then` is a thenable, and `await import(url)` would call it instead of
 * returning the module. A one-line wrapper module re-exports it under one name; where a page's
 * policy forbids data: modules, the plain import is the fallback.
 */
async function importNamespace(url: string): Promise<Loaded> {
  let wrapper: Loaded | undefined;
  try {
    // base64: Bun takes a plain data: URL for an asset, not a module.
    const source = btoa(`export * as ns from ${JSON.stringify(url)};`);
    // Both comments tell bundlers to leave the import to the runtime: without webpackIgnore,
    // webpack 5 turns it into its own module lookup, which finds no task module.
    wrapper = (await import(/* webpackIgnore: true */ /* @vite-ignore */ `data:text/javascript;base64,${source}`)) as Loaded;
  } catch {
    wrapper = undefined;
  }
  if (wrapper?.ns) return { ns: wrapper.ns };
  return { ns: (await import(/* webpackIgnore: true */ /* @vite-ignore */ url)) as Namespace };
}

export class TaskResolver {
  readonly #modules = new Map<string, Loaded | Promise<Loaded>>();
  readonly #failures = new Map<string, unknown>();
  readonly #inline = new Map<string, TaskFunction>();

  /** The function `target` names, or a promise of it while its module loads. Throws a named error if there is none. */
  resolve(target: TaskTarget): TaskFunction | Promise<TaskFunction> {
    if ("source" in target) return this.#compile(target.source);
    const loaded = this.#load(target.module);
    return loaded instanceof Promise ? loaded.then((m) => pick(m.ns, target)) : pick(loaded.ns, target);
  }

  #compile(source: string): TaskFunction {
    let fn = this.#inline.get(source);
    if (!fn) {
      fn = new Function(`return (${source});`)() as TaskFunction;
      this.#inline.set(source, fn);
    }
    return fn;
  }

  #load(url: string): Loaded | Promise<Loaded> {
    const known = this.#modules.get(url);
    if (known) return known;
    const failure = this.#failures.get(url);
    if (failure !== undefined) throw failure;
    const loading = importNamespace(url).then(
      (loaded) => {
        this.#modules.set(url, loaded);
        return loaded;
      },
      (cause: unknown) => {
        const error = new TaskModuleLoadError(url, cause);
        this.#modules.delete(url);
        this.#failures.set(url, error);
        throw error;
      },
    );
    this.#modules.set(url, loading);
    return loading;
  }
}

function pick(mod: Namespace, target: { module: string; name: string }): TaskFunction {
  const fn = Object.prototype.hasOwnProperty.call(mod, target.name) ? mod[target.name] : undefined;
  if (typeof fn !== "function") {
    const exported = Object.keys(mod).filter((k) => typeof mod[k] === "function");
    throw new TaskReferenceError(
      `The task module ${target.module} has no exported function "${target.name}"` +
        (exported.length ? `; it exports: ${exported.join(", ")}.` : "; it exports no functions."),
    );
  }
  return fn as TaskFunction;
}

/** Adds to a ReferenceError thrown by an inline function the reason it most likely has. */
export function explainFailure(error: unknown, target: TaskTarget): unknown {
  if ("source" in target && error instanceof ReferenceError && !("weftHint" in error)) {
    Object.assign(error, {
      weftHint: "inline functions are sent as source and closures are not carried; define what it uses inside it, or export it from a task module",
    });
    error.message += ` (inline task "${target.name}": closures are not carried to workers; define what it uses inside the function, or export it from a task module)`;
  }
  return error;
}
