/**
 * What a worker node tells the client that submitted a job, on that client's own results stream
 * (see ClientKeys in protocol.ts): that the job started, then its outcome. Each is one XADD with
 * NOMKSTREAM: the stream exists only while its client is alive (it renews the stream's time to
 * live, and removes it when it closes or is terminated), so a node writing for a client that is
 * gone writes nothing, and learns from the reply that the client is gone.
 */
import { setImmediate } from "node:timers";
import type { Redis } from "ioredis";
import { RESULT_FIELDS, clientKeys, type ResultEvent } from "./protocol.js";

/** Whether a job that a node took should run: "run", or "cancelled" (by its client), or "orphaned" (its client is gone). */
export type StartVerdict = "run" | "cancelled" | "orphaned";

/** What of ioredis's socket the node uses to put several commands into one write. */
interface Corkable {
  cork(): void;
  uncork(): void;
}

export class NodeReports {
  #redis: Redis;
  readonly #prefix: string;
  readonly #queue: string;
  /** The connection's socket is corked until the end of this turn of the event loop. */
  #corked = false;

  constructor(redis: Redis, prefix: string, queue: string) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#queue = queue;
  }

  /**
   * Sends from now on over `redis`: BullMQ's worker connection, so that an outcome sent just
   * before BullMQ's completion of its job reaches Redis first.
   */
  use(redis: Redis): void {
    this.#redis = redis;
  }

  /** Tells the client its job started (`restarted`: after a node lost it), and asks whether it should run, in one round trip. */
  async started(client: string, jobId: string, restarted: boolean): Promise<StartVerdict> {
    const keys = clientKeys(this.#prefix, this.#queue, client);
    const replies = await this.#redis.pipeline()
      .sismember(keys.cancelled, jobId)
      .xadd(keys.results, "NOMKSTREAM", "*", RESULT_FIELDS.event, "active" satisfies ResultEvent, RESULT_FIELDS.job, jobId, RESULT_FIELDS.restarted, restarted ? "1" : "0")
      .exec();
    const [[cancelError, cancelled] = [], [addError, added] = []] = replies ?? [];
    if (cancelError || addError) throw cancelError ?? addError;
    if (added === null) return "orphaned";
    return cancelled === 1 ? "cancelled" : "run";
  }

  /**
   * Hands the client one progress value of its job (JSON of weft's encoding). Sent on the same
   * connection as the outcome, so every value a task reported reaches the stream before its result.
   */
  async progressJson(client: string, jobId: string, json: string): Promise<void> {
    const keys = clientKeys(this.#prefix, this.#queue, client);
    await this.#redis.xadd(keys.results, "NOMKSTREAM", "*", RESULT_FIELDS.event, "progress" satisfies ResultEvent, RESULT_FIELDS.job, jobId, RESULT_FIELDS.value, json);
  }

  /** Hands the client its job's outcome: the encoded result ("done") or the encoded error ("failed"). */
  finished(client: string, jobId: string, event: "done" | "failed", encoded: unknown): Promise<void> {
    return this.finishedJson(client, jobId, event, JSON.stringify(encoded) ?? "null");
  }

  /** {@link finished}, with the value already in JSON. */
  async finishedJson(client: string, jobId: string, event: "done" | "failed", json: string): Promise<void> {
    const keys = clientKeys(this.#prefix, this.#queue, client);
    this.#coalesce();
    await this.#redis.xadd(keys.results, "NOMKSTREAM", "*", RESULT_FIELDS.event, event, RESULT_FIELDS.job, jobId, RESULT_FIELDS.value, json);
  }

  /**
   * Holds the connection's writes until the end of this turn of the event loop, so that the
   * outcome and BullMQ's completion of the job, which follows in the same turn, leave in one
   * socket write: a write is a system call, and on a busy machine the outcome's own cost as much
   * as the rest of the node's work on a short job.
   */
  #coalesce(): void {
    if (this.#corked || this.#redis.status !== "ready") return;
    const stream = (this.#redis as unknown as { stream?: Partial<Corkable> }).stream;
    if (typeof stream?.cork !== "function" || typeof stream.uncork !== "function") return;
    const socket = stream as Corkable;
    socket.cork();
    this.#corked = true;
    setImmediate(() => {
      this.#corked = false;
      socket.uncork();
    });
  }
}
