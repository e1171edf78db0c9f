/**
 * The client's sweep: every interval, the jobs it has waited on longer than that are looked up in
 * Redis (all of them, in pipelined batches), for outcomes its results stream will never bring. A
 * job that Redis lost (restarted empty, rolled back, removed) is gone, or finished with no result
 * on its way; a job its nodes kept losing was failed by BullMQ itself ("stalled more than
 * allowable limit"), which no node reports.
 *
 * A finished or vanished job is not lost at once: BullMQ removes a completed job as it completes,
 * just after its node wrote the result to the client's stream, so the result may simply not have
 * been read yet. Such a job is lost only when a second sweep still finds it so, and the results
 * stream was read to its end twice in between.
 */
import type { Redis } from "ioredis";
import { lookUpJobs } from "./reconcile.js";
import { isStalledFailure } from "./protocol.js";
import { refusalOf } from "./connection.js";

/** What the sweep needs of one pending job. */
export interface SweptJob {
  readonly id: string;
  readonly submittedAt: number;
  /** Its add was answered: a look-up that misses it means Redis lost it. */
  readonly stored: boolean;
}

/** What the sweep tells its client. */
export interface SweepHost {
  /** The jobs waiting now. */
  pending(): Iterable<SweptJob>;
  /** How many times the results stream was read to its end so far. */
  caughtUp(): number;
  /** Redis holds no outcome for this job that the results stream will bring. */
  lost(id: string): void;
  /** BullMQ failed the job for stalling too often. */
  stalled(id: string, reason: string): void;
  /** Redis refused a lookup (NOPERM: the user lacks a command or key): no retry can succeed. */
  refused(error: unknown): void;
}

export class JobSweep {
  readonly #redis: Redis;
  readonly #keyOf: (id: string) => string;
  readonly #interval: number;
  readonly #host: SweepHost;
  /** Jobs a sweep found finished or gone, with the caught-up count then. */
  readonly #suspects = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #sweeping = false;
  #fullWanted = false;
  /** A full sweep failed (Redis went away): the next one, at the usual interval, is full again. */
  #fullFailed = false;
  #stopped = false;

  constructor(redis: Redis, keyOf: (id: string) => string, interval: number, host: SweepHost) {
    this.#redis = redis;
    this.#keyOf = keyOf;
    this.#interval = interval;
    this.#host = host;
    this.#schedule();
  }

  /** Looks every pending job up soon, however recent (the client's lease had lapsed: nodes may have dropped any of them). */
  sweepAll(): void {
    this.#fullWanted = true;
    if (!this.#sweeping) this.#schedule();
  }

  /** A job settled: no longer a suspect. */
  forget(id: string): void {
    this.#suspects.delete(id);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#run(), this.#fullWanted ? 0 : this.#interval);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #run(): void {
    this.#sweeping = true;
    void this.#sweep().finally(() => {
      this.#sweeping = false;
      this.#schedule();
    });
  }

  /** One sweep at a time; a sweep that Redis fails is tried again at the next interval. */
  async #sweep(): Promise<void> {
    const full = this.#fullWanted || this.#fullFailed;
    this.#fullWanted = false;
    this.#fullFailed = false;
    const cutoff = full ? Infinity : performance.now() - this.#interval;
    const ids: string[] = [];
    for (const job of this.#host.pending()) if (job.stored && job.submittedAt < cutoff) ids.push(job.id);
    if (ids.length === 0) return;
    try {
      await lookUpJobs(this.#redis, ids, this.#keyOf, (outcomes) => {
        const caughtUp = this.#host.caughtUp();
        for (const [id, outcome] of outcomes) {
          if (outcome.kind === "unfinished") this.#suspects.delete(id);
          else if (outcome.kind === "failed" && isStalledFailure(outcome.failedReason)) this.#host.stalled(id, outcome.failedReason);
          else {
            const since = this.#suspects.get(id);
            if (since === undefined) this.#suspects.set(id, caughtUp);
            else if (caughtUp >= since + 2) this.#host.lost(id);
          }
        }
      });
    } catch (error) {
      this.#fullFailed = full;
      if (refusalOf(error)) this.#host.refused(error);
    }
  }
}
