/**
 * The cluster client's dispatcher (core's TaskDispatcher port): it carries each task of the
 * pool's front to Redis as a BullMQ job, and answers for it from what Redis says — this client's
 * results stream, the sweep that finds lost and stalled jobs, the heartbeat that notices a
 * silent Redis. Everything a caller sees (futures, signals, the ledger, close/terminate, counts)
 * is the front's (client.ts over @weft/core/transport's TaskFront).
 */
import { PoolClosedError } from "@weft/core";
import { deserializeError, type SerializedError, type TaskDispatcher, type TaskEnd } from "@weft/core/transport";
import { decodeValue } from "./codec.js";
import { DEFAULT_CONNECT_TIMEOUT_MS, refusalOf, within } from "./connection.js";
import type { ClusterPoolEventType, PoolSettings } from "./client-options.js";
import { ClientLink } from "./client-link.js";
import type { ClusterJob } from "./client-jobs.js";
import { JobLostError, JobStalledError, RedisUnavailableError, withCallerStack } from "./errors.js";
import { RESULT_FIELDS } from "./protocol.js";
import type { ResultEntry } from "./results-stream.js";

/** Tells the pool of a job's progress: its "queued", "running" and "stalled" events. */
export type JobEvents = (type: ClusterPoolEventType, id: string) => void;

/** What a caller's callback threw, for the pool's "error" event. */
export interface CallbackError {
  readonly source: "onProgress";
  readonly error: unknown;
  readonly id: string;
}

export class BullDispatcher implements TaskDispatcher<ClusterJob> {
  readonly #settings: PoolSettings;
  readonly #link: ClientLink;
  /** The jobs dispatched and not yet settled, by id: what this client's results stream answers for. */
  readonly #jobs = new Map<string, ClusterJob>();
  /** The ids of the jobs in Redis when terminate() came: shutdown removes those still queued. */
  #withdrawnIds: readonly string[] = [];
  readonly #ready: Promise<void>;
  readonly #events: JobEvents;
  readonly #report: (detail: CallbackError) => void;
  /** Set when Redis could not be reached at the start: the pool is unusable, every task rejects with it. */
  #unavailable: RedisUnavailableError | undefined;
  #closing = false;
  #terminated = false;
  #shutdown: Promise<void> | undefined;
  /** Jobs a node lost (killed, hung) that BullMQ's stalled-job check put back in the queue. */
  stalled = 0;
  /** Of {@link #jobs}, those a node reported started. */
  #running = 0;
  /** The front's callback: `queued` fell because a node reported a job started. */
  #queueChanged: () => void = () => undefined;

  /** `report` gets what a caller's callback threw (a progress callback): the pool's "error" event. */
  constructor(settings: PoolSettings, clientId: string, events: JobEvents, report: (detail: CallbackError) => void) {
    this.#settings = settings;
    this.#events = events;
    this.#report = report;
    this.#link = new ClientLink(settings, clientId, {
      entry: (entry) => this.#onEntry(entry),
      beat: (silentFor) => this.#onBeat(silentFor),
      pending: () => this.#jobs.values(),
      lost: (id) => this.#onLost(id),
      stalled: (id, reason) => this.#onStalledFailure(id, reason),
      refused: (error) => this.#onRefused(error),
    });
    this.#ready = this.#link.ready.catch((error: unknown) => {
      if (error instanceof RedisUnavailableError) this.#giveUp(error);
      throw error;
    });
    this.#ready.catch(() => undefined);
  }

  get capacity(): number {
    return this.#settings.size;
  }

  /** Redis could not be reached at the start: no task can be taken. */
  get unavailable(): boolean {
    return this.#unavailable !== undefined;
  }

  /** Jobs a node has started and that have not settled. */
  get running(): number {
    return this.#running;
  }

  /**
   * This client's jobs not yet known to be running: unsettled, and no node has reported them
   * started. They may wait in the queue in Redis, or be on their way (not yet added, or taken by
   * a node and not yet reported: a node reports a job started only once it has run for a few ms,
   * so a short job may count here until it settles; a job once reported started is not counted
   * again if BullMQ moves it back to the queue after its node died). What maxQueue limits.
   */
  get queued(): number {
    return this.#jobs.size - this.#running;
  }

  watchQueue(onChange: () => void): void {
    this.#queueChanged = onChange;
  }

  nodeCount(): Promise<number> {
    return this.#link.nodeCount();
  }

  // ----- the port ----------------------------------------------------------------------------

  /** Adds the job to the queue once connected; a job Redis refuses fails with the reason. */
  dispatch(job: ClusterJob): void {
    this.#jobs.set(job.id, job);
    job.added = this.#ready
      .then(() => this.#link.add(job.task, job.data, job.id))
      .then(
        () => {
          job.stored = true;
        },
        (error: unknown) => {
          if (error instanceof RedisUnavailableError) {
            job.fail(this.#unavailableError(job));
            return;
          }
          if (refusalOf(error)) {
            this.#onRefused(error);
            return;
          }
          const why = error instanceof Error ? error.message : String(error);
          job.fail(new PoolClosedError(`The job could not be added to the queue "${this.#settings.queue}": ${why}`, { cause: error }));
        },
      );
    this.#events("queued", job.id);
  }

  cancel(job: ClusterJob, reason: Error): void {
    if (job.fail(reason, "cancelled")) void this.#withdraw(job);
  }

  settled(job: ClusterJob, _end: TaskEnd): void {
    if (this.#jobs.delete(job.id) && job.running) this.#running--;
    this.#link.forget(job.id);
  }

  ready(): Promise<void> {
    if (this.#unavailable) return this.#ready;
    if (this.#closing) return Promise.reject(this.closedError());
    return this.#ready;
  }

  close(): void {
    this.#closing = true;
  }

  /** The front fails every job; shutdown then withdraws them all at once, and removes those that were queued. */
  terminate(): void {
    this.#terminated = true;
    this.#withdrawnIds = [...this.#jobs.values()].filter((job) => job.stored).map((job) => job.id);
  }

  /**
   * Terminated: one command drops this client's lease (nodes drop its queued jobs as they take
   * them) and one broadcast aborts its running ones, then its queued jobs are removed from Redis,
   * 500 per script call (queued-jobs.ts); waited for at most connectTimeout (10 s if that is
   * Infinity). Then this client's keys go and its connections close, within about three
   * seconds whatever Redis does.
   */
  shutdown(terminated: boolean): Promise<void> {
    // A close() waiting for the pool to drain, when terminate() drains it, shares terminate's shutdown.
    this.#shutdown ??= this.#stop(terminated);
    return this.#shutdown;
  }

  async #stop(terminated: boolean): Promise<void> {
    if (terminated && !this.#unavailable) {
      const sent = this.#ready.then(() => this.#link.withdrawAll(this.#withdrawnIds));
      await within(sent, this.#settings.connectTimeout === Infinity ? DEFAULT_CONNECT_TIMEOUT_MS : this.#settings.connectTimeout);
    }
    await this.#link.disconnect(this.closedError(), !this.#unavailable);
  }

  closedError(): Error {
    if (this.#unavailable) return this.#unavailableError(undefined);
    return new PoolClosedError(this.#terminated ? "The cluster pool was terminated; create a new ClusterPool to run more tasks." : "The cluster pool is closed; create a new ClusterPool to run more tasks.");
  }

  // ----- outcomes ----------------------------------------------------------------------------

  /** A RedisUnavailableError of its own for one task, with that task's caller stack. */
  #unavailableError(job: ClusterJob | undefined, silentFor?: number): RedisUnavailableError {
    const error = silentFor === undefined
      ? new RedisUnavailableError(this.#unavailable!.message, this.#unavailable!.waitedMs, { cause: this.#unavailable!.cause })
      : new RedisUnavailableError(`Redis has not answered this cluster client for ${Math.round(silentFor)} ms (connectTimeout ${this.#settings.connectTimeout} ms), so this task no longer waits for it. Its job may still run once Redis is back; its cancellation is sent then.`, silentFor);
    return withCallerStack(error, job?.callerSite);
  }

  /** One entry of this client's results stream: a job started, completed or failed. */
  #onEntry({ fields }: ResultEntry): void {
    const id = fields[RESULT_FIELDS.job];
    if (id === undefined) return;
    const value = fields[RESULT_FIELDS.value] ?? "null";
    switch (fields[RESULT_FIELDS.event]) {
      case "active":
        this.#onActive(id, fields[RESULT_FIELDS.restarted] === "1");
        break;
      case "progress":
        this.#onProgress(id, value);
        break;
      case "done":
        this.#onDone(id, value);
        break;
      case "failed":
        this.#onFailed(id, value);
        break;
    }
  }

  #onActive(id: string, restarted: boolean): void {
    const job = this.#jobs.get(id);
    if (!job) return;
    if (restarted) {
      // A node lost the job (killed, hung) and BullMQ's stalled-job check gave it to another.
      this.stalled++;
      this.#events("stalled", id);
    }
    if (job.running) return;
    job.running = true;
    this.#running++;
    job.markRunning();
    this.#events("running", id);
    this.#queueChanged();
  }

  /** One progress value (weft's encoding, in JSON) of a pending job, for its callback; one after the outcome finds no job. */
  #onProgress(id: string, json: string): void {
    const job = this.#jobs.get(id);
    if (!job?.onProgress) return;
    try {
      job.onProgress(decodeValue(JSON.parse(json)));
    } catch (error) {
      this.#report({ source: "onProgress", error, id });
    }
  }

  /** `json` is the result in weft's encoding. */
  #onDone(id: string, json: string): void {
    const job = this.#jobs.get(id);
    if (!job) return;
    let value: unknown;
    try {
      value = decodeValue(JSON.parse(json));
    } catch (error) {
      job.fail(error);
      return;
    }
    job.fulfil(value);
  }

  /** `json` is the task's error, serialized and in weft's encoding. The failed job is removed from Redis, delivered or not. */
  #onFailed(id: string, json: string): void {
    this.#link.removeFailed(id);
    const job = this.#jobs.get(id);
    if (!job) return;
    let error: unknown;
    try {
      error = deserializeError(decodeValue(JSON.parse(json)) as SerializedError, job.callerSite?.stack);
    } catch (decodeError) {
      error = decodeError;
    }
    job.fail(error);
  }

  #onLost(id: string): void {
    const job = this.#jobs.get(id);
    if (job) job.fail(withCallerStack(new JobLostError(id, this.#link.jobKey(id), job.running ? "running" : "queued"), job.callerSite));
  }

  #onStalledFailure(id: string, reason: string): void {
    this.#link.removeFailed(id);
    const job = this.#jobs.get(id);
    if (job) job.fail(withCallerStack(new JobStalledError(id, reason), job.callerSite));
  }

  /**
   * Redis silent for longer than connectTimeout: a task that has waited through that much of the
   * silence waits no longer. (A task submitted late in an outage gets its own connectTimeout.)
   */
  #onBeat(silentFor: number): void {
    if (silentFor <= this.#settings.connectTimeout || this.#jobs.size === 0) return;
    const now = performance.now();
    for (const job of [...this.#jobs.values()]) {
      if (Math.min(silentFor, now - job.submittedAt) <= this.#settings.connectTimeout) continue;
      // Withdrawn like a cancelled job: once Redis answers again, the job is removed before a node takes it, or aborted.
      if (job.fail(this.#unavailableError(job, silentFor))) void this.#withdraw(job);
    }
  }

  /**
   * Redis refused a command the pool needs after it started (NOPERM: a user without part of the
   * documented ACL): no retry can cure it, so the pool gives up as if Redis were unreachable.
   */
  #onRefused(error: unknown): void {
    if (this.#unavailable) return;
    const refusal = refusalOf(error) ?? String(error);
    this.#giveUp(new RedisUnavailableError(`The ClusterPool was refused by Redis while running: ${refusal}. The Redis user lacks a key, channel or command that a cluster client needs: see the ACL in @weft/cluster's README ("Who can do what").`, 0, { cause: error }));
  }

  /** Redis was not reached at the start: every task rejects, and the pool lets go of its connections. */
  #giveUp(error: RedisUnavailableError): void {
    this.#unavailable = error;
    for (const job of [...this.#jobs.values()]) job.fail(this.#unavailableError(job));
    void this.#link.disconnect(this.closedError(), false);
  }

  async #withdraw(job: ClusterJob): Promise<void> {
    await job.added;
    if (job.stored) await this.#link.withdraw(job.id);
  }
}
