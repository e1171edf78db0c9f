/** Timeouts (milliseconds) turned into absolute deadlines on performance.now()'s clock. */
import { InvalidArgumentError } from "../errors.js";

/**
 * `undefined` or `Infinity` → wait forever (`Infinity`); a number ≥ 0 → now + timeout.
 * NaN, negative numbers and non-numbers → InvalidArgumentError naming `what`.
 */
export function toDeadline(timeoutMs: number | undefined, what: string): number {
  if (timeoutMs === undefined || timeoutMs === Infinity) return Infinity;
  if (typeof timeoutMs !== "number" || !(timeoutMs >= 0)) {
    throw new InvalidArgumentError(
      `${what}: the timeout must be a number of milliseconds ≥ 0, or undefined to wait forever; got ${String(timeoutMs)}.`,
    );
  }
  return performance.now() + timeoutMs;
}
