/**
 * weft's named errors, and the encoding that carries any thrown value across a worker boundary.
 * Every error weft raises itself extends {@link WeftError} and has a stable `name`.
 */

/** Base class of every error that weft raises itself. */
export class WeftError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A worker ended while it ran the task (crash, runtime exit, killed from outside). */
export class WorkerExitError extends WeftError {
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
  constructor(message = "The task was aborted.", options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AbortError";
  }
}

/** A time limit elapsed (a pool task's run timeout, join's timeout, asyncio-style timeouts). Same name as the DOM's TimeoutError. */
export class TimeoutError extends WeftError {
  constructor(message = "The operation timed out.", options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TimeoutError";
  }
}

/** The pool (or Thread/Process) is closed or was terminated; nothing more can run on it. */
export class PoolClosedError extends WeftError {}

/** The pool's queue is at `maxQueue`; await `pool.ready()` before submitting more, or raise `maxQueue`. */
export class QueueFullError extends WeftError {}

/** A value cannot cross to a worker. `path` names the argument (e.g. `args[1].handler`). */
export class DataCloneError extends WeftError {
  readonly path: string;
  constructor(path: string, reason: string) {
    super(`${path} cannot be sent to a worker: ${reason}`);
    this.name = "DataCloneError";
    this.path = path;
  }
}

/** A task reference cannot be resolved: unknown export, not a function, or a function that cannot be sent as source. */
export class TaskReferenceError extends WeftError {}

/** A task module failed to load inside the worker; every task of that module rejects with it. */
export class TaskModuleLoadError extends WeftError {
  readonly moduleUrl: string;
  constructor(moduleUrl: string, cause: unknown) {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`The task module ${moduleUrl} failed to load in the worker: ${detail}`, { cause });
    this.moduleUrl = moduleUrl;
  }
}

/** Workers keep dying before they can run anything; the pool stopped respawning them. */
export class WorkerStartError extends WeftError {}

/** Bad configuration or arguments to a weft API (size 0, NaN timeouts, unknown options…). */
export class InvalidArgumentError extends WeftError {}

/** An operation needs shared memory, but this context cannot share it (a process, or a page without cross-origin isolation). */
export class SharedMemoryUnavailableError extends WeftError {}

/** The adapter for the current runtime was not installed (import weft through `weft` or `@weftjs/<runtime>`). */
export class NoAdapterError extends WeftError {}

// ---------------------------------------------------------------------------------------------
// Carrying thrown values across the boundary.

/** A thrown value as it travels. Plain data, so every transport can carry it. */
export type SerializedError =
  | { readonly kind: "value"; readonly value: unknown }
  | {
      readonly kind: "error";
      readonly name: string;
      readonly message: string;
      readonly stack?: string;
      readonly cause?: SerializedError;
      readonly hasCause: boolean;
      readonly errors?: readonly SerializedError[];
      readonly props: Readonly<Record<string, unknown>>;
    };

const MAX_DEPTH = 16;

function isCloneablePlain(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/** Encodes any thrown value; non-cloneable own properties become their string form. */
export function serializeError(thrown: unknown, depth = 0): SerializedError {
  if (!(thrown instanceof Error) || depth > MAX_DEPTH) {
    return { kind: "value", value: isCloneablePlain(thrown) ? thrown : String(thrown) };
  }
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(thrown)) {
    if (key === "cause" || key === "errors" || key === "stack" || key === "message" || key === "name") continue;
    const value = (thrown as unknown as Record<string, unknown>)[key];
    props[key] = isCloneablePlain(value) ? value : String(value);
  }
  const hasCause = "cause" in thrown;
  return {
    kind: "error",
    name: thrown.name,
    message: thrown.message,
    stack: typeof thrown.stack === "string" ? thrown.stack : undefined,
    hasCause,
    cause: hasCause ? serializeError(thrown.cause, depth + 1) : undefined,
    errors: thrown instanceof AggregateError && Array.isArray(thrown.errors)
      ? thrown.errors.map((e) => serializeError(e, depth + 1))
      : undefined,
    props,
  };
}

const BUILTIN_ERRORS: Record<string, ErrorConstructor> = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError,
};
function weftErrors(): Record<string, new (...args: never[]) => Error> {
  return {
  AbortError, TimeoutError, PoolClosedError, QueueFullError, DataCloneError, TaskReferenceError,
  TaskModuleLoadError, WorkerExitError, WorkerStartError, InvalidArgumentError, SharedMemoryUnavailableError,
  InvalidStateError,
  };
}

/**
 * Rebuilds a thrown value on the caller's side: same name, message, `cause` chain,
 * AggregateError members and own properties. Built-in and weft error names come back as
 * instances of their class, so `instanceof TypeError` / `instanceof AbortError` hold.
 * `callerStack` (the stack where the call was made) is appended to the worker's stack.
 */
export function deserializeError(encoded: SerializedError, callerStack?: string): unknown {
  if (encoded.kind === "value") return encoded.value;
  let error: Error;
  if (encoded.errors) {
    error = new AggregateError(encoded.errors.map((e) => deserializeError(e)), encoded.message);
  } else {
    const Builtin = BUILTIN_ERRORS[encoded.name];
    const Weft = weftErrors()[encoded.name];
    error = Builtin ? new Builtin(encoded.message) : Weft ? Object.create(Weft.prototype) as Error : new Error(encoded.message);
    if (Weft) {
      Object.defineProperty(error, "message", { value: encoded.message, writable: true, configurable: true });
    }
  }
  if (error.name !== encoded.name) {
    Object.defineProperty(error, "name", { value: encoded.name, writable: true, configurable: true });
  }
  if (encoded.hasCause && encoded.cause) {
    Object.defineProperty(error, "cause", { value: deserializeError(encoded.cause), writable: true, configurable: true });
  }
  Object.assign(error, encoded.props);
  const workerStack = encoded.stack ?? `${encoded.name}: ${encoded.message}`;
  const joined = callerStack ? `${workerStack}\n    --- awaited in the caller ---\n${callerStack.split("\n").slice(1).join("\n")}` : workerStack;
  Object.defineProperty(error, "stack", { value: joined, writable: true, configurable: true });
  return error;
}

/** An operation is not valid in the object's current state (start twice, join before start…). Python raises RuntimeError. */
export class InvalidStateError extends WeftError {}
