/**
 * Every argument and option check of the public API, in one place, with one wording: what was
 * wrong, what was given, and what to do. Pool, Thread/Process, asyncio and threading use these.
 */
import { AbortError, InvalidArgumentError, TimeoutError } from "./errors.js";

/** Describes a value for an error message without printing it whole. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return typeof (value as { then?: unknown }).then === "function" ? "a promise" : "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "symbol") return "a symbol";
  return `${typeof value} ${String(value)}`;
}

/** Refuses option keys the API does not know, so that a typo is not silently ignored. */
export function checkKnownKeys(options: unknown, known: readonly string[], what: string): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(`${what}: options must be an object like { ${known.join(", ")} }; got ${describe(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new InvalidArgumentError(`${what}: unknown option "${key}". Known options: ${known.join(", ")}.`);
    }
  }
}

/** Checks a duration in milliseconds: a number ≥ 0 (Infinity allowed), or undefined. */
export function checkDuration(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new InvalidArgumentError(`${what} must be a number of milliseconds ≥ 0 (or Infinity); got ${describe(value)}.`);
  }
  return value;
}

/** Checks a required duration in milliseconds: a number ≥ 0 (Infinity allowed). */
export function requireDuration(value: unknown, what: string): number {
  if (value === undefined) throw new InvalidArgumentError(`${what} must be a number of milliseconds ≥ 0 (or Infinity); got undefined.`);
  return checkDuration(value, what)!;
}

/** A timeout where undefined and null both mean "none". */
export function checkTimeout(value: unknown, what: string): number | null {
  if (value === undefined || value === null) return null;
  return checkDuration(value, `${what}: the timeout`)!;
}

/** Checks a whole count ≥ `min` (Infinity allowed when `allowInfinity`). */
export function checkCount(value: unknown, what: string, min: number, allowInfinity = false, hint = ""): number | undefined {
  if (value === undefined) return undefined;
  const ok = typeof value === "number" && ((allowInfinity && value === Infinity) || (Number.isInteger(value) && value >= min));
  if (!ok) {
    throw new InvalidArgumentError(`${what} must be a whole number ≥ ${min}${allowInfinity ? " (or Infinity)" : ""}; got ${describe(value)}.${hint}`);
  }
  return value as number;
}

/** Checks an optional boolean. */
export function checkBoolean(value: unknown, what: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw new InvalidArgumentError(`${what} must be true or false; got ${describe(value)}.`);
  return value;
}

/** Checks an optional AbortSignal (duck-typed, so that signals from another realm work too). */
export function checkSignal(signal: unknown, what: string): AbortSignal | undefined {
  if (signal === undefined || signal === null) return undefined;
  const s = signal as Partial<AbortSignal>;
  if (typeof s.aborted !== "boolean" || typeof s.addEventListener !== "function") {
    throw new InvalidArgumentError(`${what}: signal must be an AbortSignal (e.g. controller.signal); got ${describe(signal)}.`);
  }
  return signal as AbortSignal;
}

/**
 * A timeout turned into an absolute deadline on performance.now()'s clock: undefined or
 * Infinity → Infinity (wait forever); a number ≥ 0 → now + timeout.
 */
export function toDeadline(timeoutMs: unknown, what: string): number {
  if (timeoutMs === undefined || timeoutMs === Infinity) return Infinity;
  return performance.now() + checkDuration(timeoutMs, `${what}: the timeout`)!;
}

/** The error a task rejects with when its signal fires: TimeoutError for AbortSignal.timeout(), AbortError otherwise. */
export function abortReasonToError(reason: unknown): Error {
  if (reason instanceof Error && (reason.name === "AbortError" || reason.name === "TimeoutError") && reason.constructor.name !== "DOMException") {
    return reason;
  }
  if (reason instanceof Error && reason.name === "TimeoutError") return new TimeoutError("The task's signal timed out.", { cause: reason });
  return new AbortError("The task was aborted.", reason === undefined ? undefined : { cause: reason });
}

/** Checks a task's AbortSignal option: an AbortSignal, not yet aborted (else throws its reason as an error). */
export function checkTaskSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) throw new InvalidArgumentError("Task option signal must be an AbortSignal.");
  if (signal.aborted) throw abortReasonToError(signal.reason);
  return signal;
}

/** Checks that a task's arguments are an argument list. */
export function checkArgumentList(args: unknown): asserts args is readonly unknown[] {
  if (!Array.isArray(args)) {
    throw new InvalidArgumentError(`Task arguments must be an array (the argument list); got ${args === null ? "null" : typeof args}. Use [] for none.`);
  }
}

const START_OPTION_KEYS = ["name", "env", "resourceLimits", "runtimeOptions", "module", "execArgv", "stderr"] as const;
const STDERR_CHOICES = ["inherit", "ignore"];

/** Checks `workerOptions` (the adapter's StartOptions): an object with known keys, an execArgv of strings, a known stderr. */
export function checkStartOptions(value: unknown): void {
  checkKnownKeys(value, START_OPTION_KEYS, "workerOptions");
  const execArgv = (value as { execArgv?: unknown } | undefined)?.execArgv;
  if (execArgv !== undefined && (!Array.isArray(execArgv) || !execArgv.every((flag) => typeof flag === "string"))) {
    throw new InvalidArgumentError(`workerOptions.execArgv must be an array of strings (runtime flags); got ${describe(execArgv)}.`);
  }
  const stderr = (value as { stderr?: unknown } | undefined)?.stderr;
  if (stderr !== undefined && !STDERR_CHOICES.includes(stderr as string)) {
    throw new InvalidArgumentError(`workerOptions.stderr must be "inherit" or "ignore"; got ${describe(stderr)}.`);
  }
}
