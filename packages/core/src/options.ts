import { AbortError, InvalidArgumentError, TimeoutError } from "./errors.js";

/** Checks a duration in milliseconds: a finite number ≥ 0, or undefined. */
export function checkDuration(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new InvalidArgumentError(`${what} must be a number of milliseconds ≥ 0 (or Infinity); got ${String(value)}.`);
  }
  return value;
}

/** Checks a whole count ≥ `min` (Infinity allowed when `allowInfinity`). */
export function checkCount(value: unknown, what: string, min: number, allowInfinity = false, hint = ""): number | undefined {
  if (value === undefined) return undefined;
  const ok = typeof value === "number" && ((allowInfinity && value === Infinity) || (Number.isInteger(value) && value >= min));
  if (!ok) {
    throw new InvalidArgumentError(`${what} must be a whole number ≥ ${min}${allowInfinity ? " (or Infinity)" : ""}; got ${String(value)}.${hint}`);
  }
  return value as number;
}

/** Refuses option keys the API does not know, so that a typo is not silently ignored. */
export function checkKnownKeys(options: object | undefined, known: readonly string[], what: string): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError(`${what} must be an object; got ${options === null ? "null" : typeof options}.`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new InvalidArgumentError(`${what} has no option "${key}"; known options: ${known.join(", ")}.`);
    }
  }
}

/** The error a task rejects with when its signal fires: TimeoutError for AbortSignal.timeout(), AbortError otherwise. */
export function abortReasonToError(reason: unknown): Error {
  if (reason instanceof Error && (reason.name === "AbortError" || reason.name === "TimeoutError") && reason.constructor.name !== "DOMException") {
    return reason;
  }
  return reason instanceof Error && reason.name === "TimeoutError" ? timeoutFrom(reason) : abortFrom(reason);
}

function timeoutFrom(reason: unknown): Error {
  return new TimeoutError("The task's signal timed out.", { cause: reason });
}

function abortFrom(reason: unknown): Error {
  return new AbortError("The task was aborted.", reason === undefined ? undefined : { cause: reason });
}
