/**
 * A cluster client's Redis plumbing: its connections, the BullMQ queue it adds jobs to, its own
 * results stream, which is also its lease (renewed by the heartbeat, which also notices a silent Redis), the
 * sweep for outcomes the stream will never bring, cancellation, and letting go of it all within
 * a bound whatever Redis does. What a job means to the caller is the pool's (client.ts).
 */
import { Queue, type ConnectionOptions } from "bullmq";
import type { Redis } from "ioredis";
import { connect, release, whenReady, within, withinConnectTimeout } from "./connection.js";
import type { PoolSettings } from "./client-options.js";
import { FinishedJobRemover } from "./finished-jobs.js";
import { Heartbeat } from "./heartbeat.js";
import { JobSweep, type SweepHost } from "./job-sweep.js";
import { removeQueuedJobs } from "./queued-jobs.js";
import { ResultsReader, readerOptions, type ResultEntry } from "./results-stream.js";
import { CLIENT_KEYS_TTL_MS, RESULT_FIELDS, cancelChannel, clientKeys, type CancelMessage, type ClientKeys, type JobData, type ResultEvent } from "./protocol.js";

/** What the link tells its pool. */
export interface LinkHost extends Omit<SweepHost, "caughtUp"> {
  /** An entry of this client's results stream. */
  entry(entry: ResultEntry): void;
  /** After each heartbeat: how long Redis has been silent (ms). */
  beat(silentForMs: number): void;
}

/** How long closing may spend removing this client's keys and finished jobs (ms), Redis answering or not. */
const CLEANUP_MS = 1000;

export class ClientLink {
  readonly keys: ClientKeys;
  readonly #settings: PoolSettings;
  readonly #clientId: string;
  readonly #redis: Redis;
  readonly #readerRedis: Redis;
  readonly #queue: Queue;
  readonly #host: LinkHost;
  /** Removes failed jobs once their error was delivered, unless keepFinishedFor asked to keep them (completed ones BullMQ removes). */
  readonly #remover: FinishedJobRemover | undefined;
  readonly #stopConnecting = new AbortController();
  #reader: ResultsReader | undefined;
  #heartbeat: Heartbeat | undefined;
  #sweep: JobSweep | undefined;
  #disconnected = false;
  /** Set when disconnect() begins: no lease may be taken anew once its keys are being removed. */
  #leaving = false;
  /** Resolves once connected and listening; rejects with RedisUnavailableError after connectTimeout. */
  readonly ready: Promise<void>;

  constructor(settings: PoolSettings, clientId: string, host: LinkHost) {
    this.#settings = settings;
    this.#clientId = clientId;
    this.#host = host;
    this.keys = clientKeys(settings.prefix, settings.queue, clientId);
    // The client owns its connections (BullMQ's Queue shares the command one), so that it can
    // always let go of them, whatever Redis does.
    this.#redis = connect(settings.connection);
    this.#readerRedis = connect(readerOptions(settings.connection));
    this.#remover = settings.keepFinishedFor === undefined ? new FinishedJobRemover(this.#redis, this.#queuePrefix()) : undefined;
    this.#queue = new Queue(settings.queue, { connection: this.#redis as unknown as ConnectionOptions, prefix: settings.prefix });
    // Errors of the connections are retried by ioredis; without a listener they would be thrown.
    this.#queue.on("error", () => undefined);
    this.ready = withinConnectTimeout(this.#listen(), [this.#redis, this.#readerRedis], settings.connection, settings.connectTimeout, "The cluster client", this.#stopConnecting.signal)
      .then(() => this.#startWatching());
    this.ready.catch(() => undefined);
  }

  jobKey(id: string): string {
    return `${this.#queuePrefix()}${id}`;
  }

  /** Adds one job; resolves once Redis has it. */
  add(task: string, data: JobData, id: string): Promise<unknown> {
    return this.#queue.add(task, data, { jobId: id, attempts: 1, removeOnComplete: this.#settings.removeOnComplete, removeOnFail: this.#settings.removeOnFail });
  }

  /** A failed job whose error was delivered: removed from Redis soon, in a batch. */
  removeFailed(id: string): void {
    this.#remover?.add(id);
  }

  /**
   * Stops a settled task's job in Redis: removed if still queued, aborted on its node if running.
   * Record first, then remove, then broadcast: a node that takes the job in between sees the record.
   */
  async withdraw(id: string): Promise<void> {
    try {
      await this.#redis.multi().sadd(this.keys.cancelled, id).pexpire(this.keys.cancelled, CLIENT_KEYS_TTL_MS).exec();
      const removed = await this.#queue.remove(id);
      if (removed === 0) await this.#redis.publish(cancelChannel(this.#settings.prefix, this.#settings.queue), `job:${id}` satisfies CancelMessage);
    } catch {
      // Redis unreachable: the record (if written) still stops the job when a node takes it.
    }
  }

  /**
   * Withdraws every job of this client at once, whatever their number: the lease goes (a node
   * drops each queued job as it takes it), one broadcast aborts the running ones, and then the
   * queued ones among `ids` are removed from Redis in bulk (see queued-jobs.ts).
   */
  async withdrawAll(ids: readonly string[]): Promise<void> {
    await this.#redis.multi().del(this.keys.results).publish(cancelChannel(this.#settings.prefix, this.#settings.queue), `client:${this.#clientId}` satisfies CancelMessage).exec();
    await removeQueuedJobs(this.#redis, this.#queuePrefix(), ids);
  }

  /** How many worker nodes are connected to the queue now (BullMQ's worker registry). */
  nodeCount(): Promise<number> {
    return this.#queue.getWorkersCount();
  }

  /**
   * Lets go of every connection, within about three seconds whatever Redis does; first, if Redis
   * answers, removes this client's keys and the failed jobs it was told of.
   */
  async disconnect(reason: Error, cleanUp: boolean): Promise<void> {
    if (this.#disconnected) return;
    // The heartbeat stops first: a renewal that found the results stream gone (withdrawAll
    // deletes it) would take the lease anew after the cleanup, leaving a key for leaseDuration.
    this.#leaving = true;
    this.#heartbeat?.stop();
    if (cleanUp) await within(Promise.all([this.#remover?.flush(), this.#redis.del(this.keys.results, this.keys.cancelled)]), CLEANUP_MS);
    if (this.#disconnected) return;
    this.#disconnected = true;
    this.#stopConnecting.abort(reason);
    this.#sweep?.stop();
    this.#heartbeat?.stop();
    this.#reader?.close();
    this.#readerRedis.disconnect();
    // The Queue only shares the command connection: its close never sends anything to Redis.
    await Promise.all([within(this.#queue.close(), 1000), release(this.#redis)]);
  }

  /** A settled job: the sweep no longer suspects it. */
  forget(id: string): void {
    this.#sweep?.forget(id);
  }

  #queuePrefix(): string {
    return `${this.#settings.prefix}:${this.#settings.queue}:`;
  }

  /** Creates the results stream (the lease), with an entry that says so, and its time to live. */
  async #takeLease(): Promise<void> {
    await this.#redis.multi()
      .xadd(this.keys.results, "*", RESULT_FIELDS.event, "lease" satisfies ResultEvent)
      .pexpire(this.keys.results, this.#settings.leaseDuration)
      .exec();
  }

  /** Renews the lease; false if it had lapsed (the stream was gone), and it was taken anew. */
  async #renewLease(): Promise<boolean> {
    if ((await this.#redis.pexpire(this.keys.results, this.#settings.leaseDuration)) === 1) return true;
    if (this.#leaving) return true;
    await this.#takeLease();
    return false;
  }

  /** Connects, takes the lease (before any job is added), and starts reading the results stream. */
  async #listen(): Promise<void> {
    await Promise.all([whenReady(this.#redis), whenReady(this.#readerRedis), this.#queue.waitUntilReady()]);
    await this.#takeLease();
    if (this.#disconnected) return;
    this.#reader = new ResultsReader(this.#readerRedis, this.keys.results, (entry) => this.#host.entry(entry), (error) => this.#host.refused(error));
    void this.#reader.run();
  }

  /** Once connected: the heartbeat (lease renewal, silence), and the sweeps that notice lost jobs. */
  #startWatching(): void {
    if (this.#disconnected) return;
    const reader = this.#reader!;
    this.#sweep = new JobSweep(this.#redis, (id) => this.jobKey(id), this.#settings.reconcileInterval, {
      pending: () => this.#host.pending(),
      caughtUp: () => reader.caughtUp,
      lost: (id) => this.#host.lost(id),
      stalled: (id, reason) => this.#host.stalled(id, reason),
      refused: (error) => this.#host.refused(error),
    });
    const renew = () => this.#renewLease().then((held) => {
      // The lease had lapsed (Redis silent that long, or restarted empty): nodes may have dropped
      // any job of this client, so every one is looked up now.
      if (!held) this.#sweep?.sweepAll();
    });
    this.#heartbeat = new Heartbeat(renew, this.#settings.heartbeatMs, (silentFor) => this.#host.beat(silentFor));
  }
}
