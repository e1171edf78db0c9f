/**
 * A worker node's view of the jobs it runs and of their clients: which are running (so a
 * cancellation or a terminated client finds them), which were withdrawn, which clients are gone,
 * and when to tell a client that its job started.
 *
 * Telling and asking cost a Redis command per job, so a node does it only when it matters: a job
 * of a client whose lease it confirmed less than {@link LEASE_TRUST_MS} ago runs at once, and its
 * client hears that it started only if it still runs {@link ACTIVE_NOTICE_MS} later (a short
 * task's result is the first the client hears of it). A job of a client not seen lately is
 * checked as it starts, beside the run; a job of a client known gone waits for the check.
 */
import type { NodeReports, StartVerdict } from "./node-reports.js";
import { clientOfJob } from "./protocol.js";

/** How long a node trusts a client's lease, once confirmed, before it asks again (ms). */
export const LEASE_TRUST_MS = 500;
/** A job still running this long after it started is reported as started to its client (ms). */
export const ACTIVE_NOTICE_MS = 3;
/** How many gone clients, and recently cancelled jobs not running here, a node remembers. */
const MEMORY = 10_000;
/** How long a cancellation that found no running job here is remembered, for a job this node is just taking (ms). */
const CANCEL_MEMORY_MS = 10_000;

/** One job as the node runs it. */
export interface RunningJob {
  /** Whether the job should run; settles "run" at once when no check was needed. */
  verdict: Promise<StartVerdict>;
  /** Set when the job must not start before its verdict (its client was found gone before). */
  readonly mustWait: boolean;
}

export class NodeJobs {
  readonly #reports: NodeReports;
  readonly #cancel: (jobId: string, why: string) => void;
  /** Running jobs by client id. */
  readonly #running = new Map<string, Map<string, RunningJob & { timer?: ReturnType<typeof setTimeout> }>>();
  readonly #withdrawn = new Set<string>();
  /** Gone clients (terminated, lease lapsed), oldest first. */
  readonly #gone = new Set<string>();
  /** When each client's lease was last confirmed. */
  readonly #leaseSeen = new Map<string, number>();
  /** Cancellations of jobs not running here when they came, with when. */
  readonly #cancelledLately = new Map<string, number>();

  /** `cancel` aborts a running job (BullMQ's job cancellation). */
  constructor(reports: NodeReports, cancel: (jobId: string, why: string) => void) {
    this.#reports = reports;
    this.#cancel = cancel;
  }

  /** A message on the cancel channel: `job:<id>` or `client:<id>`. */
  onMessage(message: string): void {
    if (message.startsWith("job:")) {
      const jobId = message.slice(4);
      if (!this.#withdraw(jobId, "cancelled by the client")) remember(this.#cancelledLately, jobId, performance.now());
    } else if (message.startsWith("client:")) {
      const client = message.slice(7);
      this.#markGone(client);
      for (const jobId of [...(this.#running.get(client)?.keys() ?? [])]) this.#withdraw(jobId, "the client was terminated");
    }
  }

  /** A job starts here; `restarted`: BullMQ had started it before (a node lost it). */
  begin(client: string, jobId: string, restarted: boolean): RunningJob {
    const own = this.#running.get(client) ?? this.#running.set(client, new Map()).get(client)!;
    const cancelledAt = this.#cancelledLately.get(jobId);
    if (cancelledAt !== undefined && performance.now() - cancelledAt < CANCEL_MEMORY_MS) {
      const job = { verdict: Promise.resolve<StartVerdict>("cancelled"), mustWait: true };
      own.set(jobId, job);
      return job;
    }
    const seen = this.#leaseSeen.get(client);
    const trusted = !restarted && !this.#gone.has(client) && seen !== undefined && performance.now() - seen < LEASE_TRUST_MS;
    const job: RunningJob & { timer?: ReturnType<typeof setTimeout> } = { verdict: Promise.resolve("run"), mustWait: this.#gone.has(client) };
    own.set(jobId, job);
    if (trusted) job.timer = setTimeout(() => (job.verdict = this.#check(client, jobId, false)), ACTIVE_NOTICE_MS);
    else job.verdict = this.#check(client, jobId, restarted);
    return job;
  }

  /** Whether the job's client withdrew it while it ran (it ends quietly). */
  withdrawn(jobId: string): boolean {
    return this.#withdrawn.has(jobId);
  }

  /** The job ended here. */
  end(client: string, jobId: string): void {
    const own = this.#running.get(client);
    clearTimeout(own?.get(jobId)?.timer);
    own?.delete(jobId);
    if (own?.size === 0) this.#running.delete(client);
    this.#withdrawn.delete(jobId);
  }

  /** Tells the client its job started, and learns whether it should run; a "no" aborts it. */
  #check(client: string, jobId: string, restarted: boolean): Promise<StartVerdict> {
    const verdict = this.#reports.started(client, jobId, restarted).catch(() => "run" as const);
    void verdict.then((answer) => {
      if (answer === "run") {
        this.#gone.delete(client);
        remember(this.#leaseSeen, client, performance.now());
        return;
      }
      if (answer === "orphaned") this.#markGone(client);
      this.#withdraw(jobId, answer === "cancelled" ? "cancelled by the client before the job started" : "its client is gone");
    });
    return verdict;
  }

  #withdraw(jobId: string, why: string): boolean {
    if (!this.#running.get(clientOfJob(jobId))?.has(jobId)) return false;
    this.#withdrawn.add(jobId);
    this.#cancel(jobId, why);
    return true;
  }

  #markGone(client: string): void {
    this.#leaseSeen.delete(client);
    this.#gone.delete(client);
    this.#gone.add(client);
    if (this.#gone.size > MEMORY) this.#gone.delete(this.#gone.values().next().value!);
  }
}

/** Adds to a bounded map, dropping the oldest entry beyond {@link MEMORY}. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MEMORY) map.delete(map.keys().next().value!);
}
