/**
 * The client's ledger of its unsettled jobs: each one's future, and the counts the pool's stats
 * report. Every job settles once, through here: later outcomes of a settled job (a cancellation
 * racing its result, a job run twice) are ignored.
 */
import type { FutureController } from "@weft/core/transport";

/** One job this client waits for. */
export interface PendingJob {
  readonly id: string;
  readonly future: FutureController<unknown>;
  readonly callerSite: Error | undefined;
  readonly submittedAt: number;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Settles once the job's add was answered (or failed). */
  added: Promise<unknown>;
  /** The job is in Redis (its add was answered), so a look-up that misses it means Redis lost it. */
  stored: boolean;
  running: boolean;
}

export type SettledAs = "completed" | "failed" | "cancelled";

export class JobLedger {
  readonly #pending = new Map<string, PendingJob>();
  readonly #onSettled: (job: PendingJob, as: SettledAs, error?: unknown) => void;
  #drainWaiters: (() => void)[] = [];
  completed = 0;
  failed = 0;
  cancelled = 0;
  stalled = 0;

  /** `onSettled` hears of every settlement, after the future settled. */
  constructor(onSettled: (job: PendingJob, as: SettledAs, error?: unknown) => void) {
    this.#onSettled = onSettled;
  }

  get size(): number {
    return this.#pending.size;
  }

  add(job: PendingJob): void {
    this.#pending.set(job.id, job);
  }

  get(id: string): PendingJob | undefined {
    return this.#pending.get(id);
  }

  values(): IterableIterator<PendingJob> {
    return this.#pending.values();
  }

  get running(): number {
    let running = 0;
    for (const job of this.#pending.values()) if (job.running) running++;
    return running;
  }

  fulfil(job: PendingJob, value: unknown): boolean {
    if (job.future.future.done()) return false;
    this.#forget(job);
    this.completed++;
    job.future.fulfil(value);
    this.#onSettled(job, "completed");
    return true;
  }

  /** Rejects the job's future, unless it settled already; true if this settled it. */
  fail(job: PendingJob, error: unknown, as: "failed" | "cancelled"): boolean {
    if (job.future.future.done()) return false;
    this.#forget(job);
    if (as === "cancelled") this.cancelled++;
    else this.failed++;
    job.future.fail(error, as === "cancelled");
    this.#onSettled(job, as, error);
    return true;
  }

  /** Resolves once no job is pending. */
  whenDrained(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #forget(job: PendingJob): void {
    this.#pending.delete(job.id);
    if (job.onAbort && job.signal) job.signal.removeEventListener("abort", job.onAbort);
    job.onAbort = undefined;
    if (this.#pending.size === 0 && this.#drainWaiters.length > 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}
