/**
 * Waiting on a shared int32, two ways. Each primitive writes its waiting logic once, as a
 * generator that yields a {@link WaitOp} whenever it must sleep until a cell changes;
 * {@link runSync} drives it with Atomics.wait (blocking: workers only), {@link runAsync} with
 * Atomics.waitAsync, or, where that is missing, with back-off polling on setTimeout (0 → 4 ms)
 * that never spins a core.
 *
 * Host liveness: a pending Atomics.waitAsync does not keep Node, Deno or Bun alive, so a timed
 * wait on the main thread with nothing else pending would let the host exit before the wait
 * returns. {@link runAsync} therefore holds a timer for as long as a timed wait is pending — a
 * timed wait keeps the host alive exactly as `setTimeout` would. An untimed wait holds nothing:
 * when no other party (a thread, a timer, I/O) can ever wake it, the host exits instead of
 * hanging forever.
 */
import { BlockingNotAllowedError } from "./errors.js";
import { mayBlock } from "./blocking.js";

/** Sleep while `cells[index] === expected`, until `deadline` (performance.now() ms, or Infinity). */
export interface WaitOp {
  readonly cells: Int32Array;
  readonly index: number;
  readonly expected: number;
  readonly deadline: number;
}

/** "ok": woken (or, when polling, saw the cell change); "not-equal": the cell had already changed. */
export type WaitOutcome = "ok" | "not-equal" | "timed-out";

/** A waiting algorithm: yields the waits it needs, receives their outcomes, returns its result. */
export type Waiting<T> = Generator<WaitOp, T, WaitOutcome>;

const MAX_POLL_DELAY_MS = 4;

function remainingMs(deadline: number): number {
  return deadline === Infinity ? Infinity : deadline - performance.now();
}

function expired(op: WaitOp): WaitOutcome {
  return Atomics.load(op.cells, op.index) === op.expected ? "timed-out" : "not-equal";
}

/** Runs a waiting algorithm to completion, blocking this thread with Atomics.wait when it waits. */
export function runSync<T>(task: Waiting<T>): T {
  let step = task.next();
  while (!step.done) {
    const op = step.value;
    const remaining = remainingMs(op.deadline);
    let outcome: WaitOutcome;
    if (remaining <= 0) {
      outcome = expired(op);
    } else {
      if (!mayBlock()) {
        // Safety net: callers check before starting; never block a main thread regardless.
        task.return(undefined as T);
        throw new BlockingNotAllowedError("A *Sync threading method had to block on a thread where weft never blocks; use its async form.");
      }
      outcome = Atomics.wait(op.cells, op.index, op.expected, remaining);
    }
    step = task.next(outcome);
  }
  return step.value;
}

/** Runs a waiting algorithm to completion without ever blocking the thread. */
export async function runAsync<T>(task: Waiting<T>): Promise<T> {
  let step = task.next();
  while (!step.done) step = task.next(await waitAsync(step.value));
  return step.value;
}

function waitAsync(op: WaitOp): WaitOutcome | Promise<WaitOutcome> {
  const remaining = remainingMs(op.deadline);
  if (remaining <= 0) return expired(op);
  if (typeof Atomics.waitAsync === "function") {
    const result = Atomics.waitAsync(op.cells, op.index, op.expected, remaining);
    if (!result.async || remaining === Infinity) return result.value;
    return keepingHostAlive(result.value, remaining);
  }
  return poll(op);
}

// setInterval's largest delay (2³¹ − 1 ms); a longer wait re-fires a no-op, which is harmless.
const MAX_TIMER_DELAY_MS = 0x7fffffff;

/**
 * Holds an interval until `pending` settles. An interval rather than a timeout: if the timer
 * fired a little before the wait's own timeout, a one-shot timer would leave a gap in which the
 * host could exit.
 */
function keepingHostAlive<T>(pending: Promise<T>, remainingMs: number): Promise<T> {
  const timer = setInterval(() => undefined, Math.max(1, Math.min(MAX_TIMER_DELAY_MS, Math.ceil(remainingMs))));
  return pending.finally(() => clearInterval(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function poll(op: WaitOp): Promise<WaitOutcome> {
  let delay = 0;
  for (;;) {
    if (Atomics.load(op.cells, op.index) !== op.expected) return "ok";
    const remaining = remainingMs(op.deadline);
    if (remaining <= 0) return "timed-out";
    await sleep(Math.min(delay, remaining));
    delay = Math.min(MAX_POLL_DELAY_MS, delay === 0 ? 1 : delay * 2);
  }
}
