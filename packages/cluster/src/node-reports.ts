/**
 * What a worker node tells the client that submitted a job, on that client's own results stream
 * (see ClientKeys in protocol.ts): that the job started, then its outcome. One script call each,
 * so a job costs the node two Redis commands beside BullMQ's own; the first one also answers
 * whether the job should run at all (its client cancelled it, or is gone).
 */
import type { Redis } from "ioredis";
import { CLIENT_KEYS_TTL_MS, RESULT_FIELDS, clientKeys, type ResultEvent } from "./protocol.js";

/** Whether a job that a node took should run: "run", or "cancelled" (by its client), or "orphaned" (its client's lease is gone). */
export type StartVerdict = "run" | "cancelled" | "orphaned";

/**
 * KEYS: lease, cancelled set, results stream. ARGV: job id, ttl (ms), restarted ("1" if BullMQ
 * had started the job before). Nothing is written for a job that will not run.
 */
const START = `
if redis.call("EXISTS", KEYS[1]) == 0 then return "orphaned" end
if redis.call("SISMEMBER", KEYS[2], ARGV[1]) == 1 then return "cancelled" end
redis.call("XADD", KEYS[3], "*", "${RESULT_FIELDS.event}", "active", "${RESULT_FIELDS.job}", ARGV[1], "${RESULT_FIELDS.restarted}", ARGV[3])
redis.call("PEXPIRE", KEYS[3], ARGV[2])
return "run"`;

/**
 * KEYS: lease, results stream. ARGV: job id, ttl (ms), event, encoded value (JSON). A client
 * whose lease is gone (terminated, closed or dead) reads nothing more: nothing is written.
 */
const REPORT = `
if redis.call("EXISTS", KEYS[1]) == 0 then return 0 end
redis.call("XADD", KEYS[2], "*", "${RESULT_FIELDS.event}", ARGV[3], "${RESULT_FIELDS.job}", ARGV[1], "${RESULT_FIELDS.value}", ARGV[4])
redis.call("PEXPIRE", KEYS[2], ARGV[2])
return 1`;

type WithReports = Redis & {
  weftJobStart(lease: string, cancelled: string, results: string, jobId: string, ttl: number, restarted: string): Promise<StartVerdict>;
  weftJobReport(lease: string, results: string, jobId: string, ttl: number, event: ResultEvent, value: string): Promise<number>;
};

export class NodeReports {
  readonly #redis: WithReports;
  readonly #prefix: string;
  readonly #queue: string;

  constructor(redis: Redis, prefix: string, queue: string) {
    redis.defineCommand("weftJobStart", { numberOfKeys: 3, lua: START });
    redis.defineCommand("weftJobReport", { numberOfKeys: 2, lua: REPORT });
    this.#redis = redis as WithReports;
    this.#prefix = prefix;
    this.#queue = queue;
  }

  /** Tells the client its job started (`restarted`: after a node lost it), unless it should not run. */
  started(client: string, jobId: string, restarted: boolean): Promise<StartVerdict> {
    const keys = clientKeys(this.#prefix, this.#queue, client);
    return this.#redis.weftJobStart(keys.lease, keys.cancelled, keys.results, jobId, CLIENT_KEYS_TTL_MS, restarted ? "1" : "0");
  }

  /** Hands the client its job's outcome: the encoded result ("done") or the encoded error ("failed"). */
  finished(client: string, jobId: string, event: "done" | "failed", encoded: unknown): Promise<void> {
    return this.finishedJson(client, jobId, event, JSON.stringify(encoded) ?? "null");
  }

  /** {@link finished}, with the value already in JSON. */
  async finishedJson(client: string, jobId: string, event: "done" | "failed", json: string): Promise<void> {
    const keys = clientKeys(this.#prefix, this.#queue, client);
    await this.#redis.weftJobReport(keys.lease, keys.results, jobId, CLIENT_KEYS_TTL_MS, event, json);
  }
}
