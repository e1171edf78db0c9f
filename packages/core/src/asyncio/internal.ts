/**
 * Small shared helpers of the asyncio model: argument checks, cancellation reasons, deadline timers and the
 * disposal symbols. Internal: not exported from the package.
 */
import { AbortError, InvalidArgumentError } from "../errors.js";

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

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return typeof (value as { then?: unknown }).then === "function" ? "a promise" : "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}

/** Checks an options bag: an object (or undefined) with only the known keys. */
export function checkOptions(options: unknown, allowed: readonly string[], where: string): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(`${where}: options must be an object like { ${allowed.join(", ")} }, got ${describe(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new InvalidArgumentError(`${where}: unknown option "${key}". Known options: ${allowed.join(", ")}.`);
    }
  }
}

/** Checks an optional AbortSignal option (duck-typed, so signals from another realm work too). */
export function checkSignal(signal: unknown, where: string): AbortSignal | undefined {
  if (signal === undefined || signal === null) return undefined;
  const s = signal as Partial<AbortSignal>;
  if (typeof s.aborted !== "boolean" || typeof s.addEventListener !== "function") {
    throw new InvalidArgumentError(`${where}: signal must be an AbortSignal (e.g. controller.signal), got ${describe(signal)}.`);
  }
  return signal as AbortSignal;
}

/** A duration in milliseconds: a number ≥ 0 (Infinity allowed); NaN/negative/non-numbers are rejected. */
export function checkDelay(ms: unknown, where: string, what = "the delay"): number {
  if (typeof ms !== "number" || Number.isNaN(ms) || ms < 0) {
    throw new InvalidArgumentError(`${where}: ${what} must be a number of milliseconds ≥ 0 (Infinity for none), got ${describe(ms)}.`);
  }
  return ms;
}

/** An optional timeout: undefined/null for none, else as {@link checkDelay}. */
export function checkTimeout(ms: unknown, where: string): number | null {
  if (ms === undefined || ms === null) return null;
  return checkDelay(ms, where, "timeout");
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
