/**
 * Small shared helpers of the asyncio model: argument checks, cancellation reasons, deadline timers and the
 * disposal symbols. Internal: not exported from the package.
 */
import { AbortError } from "../errors.js";
import { checkKnownKeys, requireDuration, checkSignal, checkTimeout as checkTimeoutOption, describe } from "../options.js";

// Argument checks live in ../options.ts, shared with the pool and threading; these names keep
// the asyncio modules' call sites short.
export { checkSignal, describe };
/** Checks an options bag: an object (or undefined) with only the known keys. */
export const checkOptions = (options: unknown, allowed: readonly string[], where: string): void => checkKnownKeys(options, allowed, where);
/** A duration in milliseconds: a number ≥ 0 (Infinity allowed). */
export const checkDelay = (ms: unknown, where: string, what = "the delay"): number => requireDuration(ms, `${where}: ${what}`);
/** An optional timeout: undefined/null for none. */
export const checkTimeout = (ms: unknown, where: string): number | null => checkTimeoutOption(ms, where);

/**
 * `Symbol.asyncDispose` / `Symbol.dispose`, or — on runtimes that do not define them yet (Node 20) — the
 * registered symbols that TypeScript/esbuild/oxc down-levelled `await using` falls back to.
 */
export const asyncDisposeSymbol: typeof Symbol.asyncDispose =
  (Symbol as { asyncDispose?: typeof Symbol.asyncDispose }).asyncDispose ??
  (Symbol.for("Symbol.asyncDispose") as typeof Symbol.asyncDispose);
export const disposeSymbol: typeof Symbol.dispose =
  (Symbol as { dispose?: typeof Symbol.dispose }).dispose ?? (Symbol.for("Symbol.dispose") as typeof Symbol.dispose);

/** True for the error a cancelled task observes (weft's AbortError, the DOM's AbortError DOMException…). */
export function isCancellation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError";
}

/** Turns an abort reason into the AbortError a cancelled task observes (Python's CancelledError). */
export function toAbortError(reason: unknown, fallback: string): AbortError {
  if (reason instanceof AbortError) return reason;
  if (typeof reason === "string") return new AbortError(reason);
  if (reason === undefined) return new AbortError(fallback);
  const detail = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  return new AbortError(`${fallback} (${detail})`, { cause: reason });
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}

/** The clock of deadlines: `performance.now()` in milliseconds. */
export function now(): number {
  return performance.now();
}

const MAX_TIMER_DELAY = 2_147_483_647;

/**
 * Calls `callback` once the clock reaches `deadline` (ms on {@link now}'s clock). Deadlines further away
 * than setTimeout can express (~24.8 days, or Infinity) are reached by re-arming, so they never fire early.
 * Returns a function that cancels the call.
 */
export function callAt(deadline: number, callback: () => void): () => void {
  let handle: ReturnType<typeof setTimeout> | undefined;
  let active = true;
  const arm = (): void => {
    const delay = deadline - now();
    if (delay > MAX_TIMER_DELAY) {
      handle = setTimeout(arm, MAX_TIMER_DELAY);
    } else {
      handle = setTimeout(() => {
        if (!active) return;
        active = false;
        callback();
      }, Math.max(0, Math.ceil(delay)));
    }
  };
  arm();
  return () => {
    active = false;
    if (handle !== undefined) clearTimeout(handle);
  };
}

/** Subscribes to a signal's abort; returns the unsubscribe function. */
export function onAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (!signal) return () => {};
  signal.addEventListener("abort", listener, { once: true });
  return () => signal.removeEventListener("abort", listener);
}

/** Swallows a promise's rejection (its outcome is reported elsewhere). */
export function ignoreRejection(promise: PromiseLike<unknown>): void {
  Promise.resolve(promise).then(undefined, () => {});
}
