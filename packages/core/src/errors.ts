/**
 * weft's named errors, and the encoding that carries any thrown value across a worker boundary.
 *
 * Every error weft raises itself extends {@link WeftError} and has a literal, stable `name`
 * (written out here, never taken from the class's own name, which minifiers rename). `instanceof`
 * also holds across separately bundled copies of weft (a task module that bundles its own copy,
 * a Vite build): each class carries a brand in a global symbol, which `instanceof` checks.
 */
import { loadAdvice, shownUrl } from "./load-advice.js";

const BRAND = Symbol.for("weft.errorBrand");
/** Branded classes by brand id, for rebuilding received errors as their class. No prototype, so no name can hit Object.prototype. */
const BRANDED = new Map<string, abstract new (...args: never[]) => Error>();

interface Branded {
  readonly [BRAND]?: readonly string[];
}

/**
 * Gives an error class its literal `name` and its brand. Call it in the class's static block:
 * `static { named(this, "PoolClosedError"); }`. `id` tells apart classes that share a name
 * (asyncio's and threading's BrokenBarrierError); it defaults to `name`.
 */
export function named(cls: abstract new (...args: never[]) => Error, name: string, id: string = name): void {
  const parent = (Object.getPrototypeOf(cls.prototype) as Branded)[BRAND] ?? [];
  Object.defineProperty(cls.prototype, "name", { value: name, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(cls.prototype, BRAND, { value: Object.freeze([...parent, id]), configurable: true, enumerable: false });
  BRANDED.set(id, cls);
}

/** The brand id of a weft error (e.g. "threading.BrokenBarrierError"), or undefined for any other value. */
export function errorBrand(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  try {
    const brand = (error as Branded)[BRAND];
    return Array.isArray(brand) && typeof brand[brand.length - 1] === "string" ? brand[brand.length - 1] : undefined;
  } catch {
    return undefined;
  }
}

/** The weft error class with this brand id, if this copy of weft defines it. */
export function brandedClass(id: string): (abstract new (...args: never[]) => Error) | undefined {
  return BRANDED.get(id);
}

/** Base class of every error that weft raises itself. */
export class WeftError extends Error {
  static {
    named(this, "WeftError");
  }

  /**
   * `error instanceof SomeWeftError` holds for instances made by any copy of weft: the class's
   * own prototype chain first, then the brand its instances carry.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== "object" || value === null) return false;
    try {
      const mine = (this.prototype as Branded)[BRAND];
      const theirs = (value as Branded)[BRAND];
      const id = mine?.[mine.length - 1];
      return id !== undefined && Array.isArray(theirs) && theirs.includes(id);
    } catch {
      return false;
    }
  }

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A worker ended while it ran the task (crash, runtime exit, killed from outside). */
export class WorkerExitError extends WeftError {
  static {
    named(this, "WorkerExitError");
  }
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** `inPool`: the worker belonged to a pool, which replaces it (false for a Thread or Process). */
  constructor(exitCode: number | null, signal: string | null, cause?: unknown, inPool = true) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    const why = cause instanceof Error ? `: ${cause.name}: ${cause.message}` : "";
    const after = inPool ? " The pool replaced it; other tasks are unaffected." : "";
    super(`The worker running this task ${how}${why}.${after}`, cause === undefined ? undefined : { cause });
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

/** The task was cancelled through its AbortSignal (or its pool/TaskGroup cancelled it). Same name as the DOM's AbortError. */
export class AbortError extends WeftError {
  static {
    named(this, "AbortError");
  }
  constructor(message = "The task was aborted.", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A time limit elapsed (a pool task's run timeout, join's timeout, asyncio-style timeouts). Same name as the DOM's TimeoutError. */
export class TimeoutError extends WeftError {
  static {
    named(this, "TimeoutError");
  }
  constructor(message = "The operation timed out.", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The pool (or Thread/Process) is closed or was terminated; nothing more can run on it. */
export class PoolClosedError extends WeftError {
  static {
    named(this, "PoolClosedError");
  }
}

/** The pool's queue is at `maxQueue`; await `pool.ready()` before submitting more, or raise `maxQueue`. */
export class QueueFullError extends WeftError {
  static {
    named(this, "QueueFullError");
  }
}

/** A value cannot cross to a worker. `path` names the argument (e.g. `args[1].handler`). */
export class DataCloneError extends WeftError {
  static {
    named(this, "DataCloneError");
  }
  readonly path: string;
  constructor(path: string, reason: string) {
    super(`${path} cannot be sent to a worker: ${reason}`);
    this.path = path;
  }
}

/** The DataCloneError for a value the transport itself refused, with the transport's own error as the reason. */
export function transportRefusal(path: string, refused: unknown): DataCloneError {
  let reason: string;
  try {
    reason = refused instanceof Error ? `${refused.name}: ${refused.message}` : String(refused);
  } catch {
    reason = "it gave no reason";
  }
  return new DataCloneError(path, `the transport refused it (${reason})`);
}

/** A task reference cannot be resolved: unknown export, not a function, or a function that cannot be sent as source. */
export class TaskReferenceError extends WeftError {
  static {
    named(this, "TaskReferenceError");
  }
}

/** A task module failed to load inside the worker; every task of that module rejects with it. */
export class TaskModuleLoadError extends WeftError {
  static {
    named(this, "TaskModuleLoadError");
  }
  readonly moduleUrl: string;
  constructor(moduleUrl: string, cause: unknown) {
    const shown = shownUrl(moduleUrl);
    // The runtime's message often repeats the URL: a whole module inlined as a data: URL, twice.
    const detail = (cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)).split(moduleUrl).join(shown);
    const advice = loadAdvice(moduleUrl, cause);
    super(`The task module ${shown} failed to load in the worker: ${detail}${advice ? ` ${advice}` : ""}`, { cause });
    this.moduleUrl = moduleUrl;
  }
}

/** Workers keep dying before they can run anything; the pool stopped respawning them. */
export class WorkerStartError extends WeftError {
  static {
    named(this, "WorkerStartError");
  }
}

/** Bad configuration or arguments to a weft API (size 0, NaN timeouts, unknown options…). */
export class InvalidArgumentError extends WeftError {
  static {
    named(this, "InvalidArgumentError");
  }
}

/** An operation needs shared memory, but this context cannot share it (a process, or a page without cross-origin isolation). */
export class SharedMemoryUnavailableError extends WeftError {
  static {
    named(this, "SharedMemoryUnavailableError");
  }
}

/** The adapter for the current runtime was not installed (import weft through `weft` or `@weft/<runtime>`). */
export class NoAdapterError extends WeftError {
  static {
    named(this, "NoAdapterError");
  }
}

/**
 * An operation is not valid in the object's current state (start twice, join before start…), or
 * not on this object at all: `send` on the receiving end of a one-way `Pipe(false)`, `recv` on its
 * sending end. Python raises RuntimeError (OSError for the pipe ends).
 */
export class InvalidStateError extends WeftError {
  static {
    named(this, "InvalidStateError");
  }
}

/**
 * A proxy of a `multiprocessing.Manager` (dict, list, Namespace, Value, Lock, Queue…) was used
 * after its manager shut down, or a proxy call was waiting (a Lock's acquire, a Queue's get) when
 * it did. The manager's items are gone with it: shut the manager down only after every side is
 * done with its proxies (`await using manager = new Manager()` does it at the end of the block).
 */
export class ManagerClosedError extends WeftError {
  static {
    named(this, "ManagerClosedError");
  }
  constructor(message = "This Manager was shut down, and its shared items with it; create the proxies from a Manager that is still running, and shut it down only after every worker is done with them.") {
    super(message);
  }
}

/**
 * A worker used a channel or Manager handle (a Queue, a Pipe's end, a manager's dict, list, Lock…)
 * that its owner did not hand out: one rebuilt from an id — a guessed neighbour, a changed id, a
 * copied id with another token — rather than received. Every handle carries an unguessable token
 * its owner checks, so a worker reaches only what it was passed (as an argument, or inside a value
 * it received). A real handle can also end up here when it is used in a worker's own workers:
 * those talk to that worker, which does not own the channel.
 */
export class UnknownHandleError extends WeftError {
  static {
    named(this, "UnknownHandleError");
  }
}

/** A message from a worker (or to one) could not be decoded: it was not produced by this version of weft's codec, or was corrupted. */
export class MalformedMessageError extends WeftError {
  static {
    named(this, "MalformedMessageError");
  }
}

// ---------------------------------------------------------------------------------------------
// Carrying thrown values across the boundary: see codec/thrown.ts.
