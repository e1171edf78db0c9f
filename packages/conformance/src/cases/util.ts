import type { Pool, PoolOptions } from "@weft/core";
import type { CaseContext } from "../harness.js";

export type Fixtures = typeof import("../fixtures/tasks.js");

/** A pool over the fixture module for this case's adapter and kind (the harness's kind of pool). */
export function fixturePool(ctx: CaseContext, options: Omit<PoolOptions, "adapter" | "kind" | "module"> = {}): Pool<Fixtures> {
  return ctx.pool<Fixtures>({ module: ctx.fixtures, ...options });
}

/** Collects the pids (or worker numbers) of workers the pool starts, from its events. */
export function watchWorkers(pool: Pool<Fixtures>): { started: { worker: number; pid?: number }[]; exited: number[] } {
  const seen = { started: [] as { worker: number; pid?: number }[], exited: [] as number[] };
  pool.addEventListener("workerstart", (event) => {
    const detail = (event as CustomEvent).detail as { worker: number; pid?: number };
    seen.started.push(detail);
  });
  pool.addEventListener("workerexit", (event) => seen.exited.push(((event as CustomEvent).detail as { worker: number }).worker));
  return seen;
}

/**
 * Whether this case's kind reports the code a worker's exit call gave, and if not, why (the
 * adapter's note, printed when a case skips on it).
 */
export function exitCodes(ctx: CaseContext): { reported: boolean; reason: string } {
  const caps = ctx.adapter.capabilities;
  const reported = ctx.kind === "thread" ? caps.threadExitCodes !== false : caps.processExitCodes;
  const note = ctx.kind === "thread" ? caps.notes?.threadExitCodes : caps.notes?.processExitCodes;
  return { reported, reason: note ?? `this runtime reports no ${ctx.kind} exit codes` };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A task that never yields and ignores its abort: forever where the runtime can stop a busy
 * worker; where it cannot (a Deno thread), a 3 s spin instead, so that the thread it leaves
 * behind gives the machine back soon rather than spinning through the rest of the suite.
 */
export function neverYielding(ctx: CaseContext): { target: "loopForever" | "spin"; args: [] | [number] } {
  const unstoppable = ctx.kind === "thread" && ctx.adapter.capabilities.stopsBusyThreads === false;
  return unstoppable ? { target: "spin", args: [3_000] } : { target: "loopForever", args: [] };
}
