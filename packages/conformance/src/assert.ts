/** Runtime-neutral assertions (a browser has no node:assert). Each failure says what was expected. */

export class AssertionFailure extends Error {
  override name = "AssertionFailure";
}

function show(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

export function ok(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailure(message);
}

export function equal<T>(actual: T, expected: T, message = "values differ"): void {
  if (!Object.is(actual, expected)) throw new AssertionFailure(`${message}: expected ${show(expected)}, got ${show(actual)}`);
}

export function deepEqual(actual: unknown, expected: unknown, message = "values differ"): void {
  if (!isDeepEqual(actual, expected)) throw new AssertionFailure(`${message}: expected ${show(expected)}, got ${show(actual)}`);
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  if (a instanceof RegExp) return String(a) === String(b);
  if (a instanceof Map) {
    const bm = b as Map<unknown, unknown>;
    if (a.size !== bm.size) return false;
    for (const [k, v] of a) if (!bm.has(k) || !isDeepEqual(v, bm.get(k))) return false;
    return true;
  }
  if (a instanceof Set) {
    const bs = b as Set<unknown>;
    return a.size === bs.size && [...a].every((v) => bs.has(v));
  }
  if (ArrayBuffer.isView(a)) {
    const av = a as unknown as ArrayLike<unknown>;
    const bv = b as unknown as ArrayLike<unknown>;
    if (av.length !== bv.length) return false;
    for (let i = 0; i < av.length; i++) if (!Object.is(av[i], bv[i])) return false;
    return true;
  }
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => isDeepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Awaits `promise` and checks that it rejects with an error of `name` (and a message matching `pattern`). */
export async function rejects(promise: PromiseLike<unknown>, name: string, pattern?: RegExp): Promise<Error> {
  let settled: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    settled = { ok: true, value: await promise };
  } catch (error) {
    settled = { ok: false, error };
  }
  if (settled.ok) throw new AssertionFailure(`expected a rejection with ${name}, but it resolved to ${show(settled.value)}`);
  const error = settled.error as Error;
  if (!(error instanceof Error)) throw new AssertionFailure(`expected an Error named ${name}, got ${show(error)}`);
  if (error.name !== name) throw new AssertionFailure(`expected ${name}, got ${error.name}: ${error.message}`);
  if (pattern && !pattern.test(error.message)) throw new AssertionFailure(`${name}'s message ${show(error.message)} does not match ${pattern}`);
  return error;
}

/** Calls `fn` and checks that it throws synchronously an error of `name`. */
export function throws(fn: () => unknown, name: string, pattern?: RegExp): Error {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof Error)) throw new AssertionFailure(`expected an Error named ${name}, got ${show(error)}`);
    if (error.name !== name) throw new AssertionFailure(`expected ${name}, got ${error.name}: ${error.message}`);
    if (pattern && !pattern.test(error.message)) throw new AssertionFailure(`${name}'s message ${show(error.message)} does not match ${pattern}`);
    return error;
  }
  throw new AssertionFailure(`expected ${name} to be thrown, but nothing was`);
}

/** Waits until `check()` is true, polling; fails after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, message: string, timeoutMs = 5000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new AssertionFailure(`timed out after ${timeoutMs} ms waiting until ${message}`);
}
