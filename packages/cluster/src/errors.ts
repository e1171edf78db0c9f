/** The errors only a cluster pool raises. Every other failure is one of weft's own (from @weft/core). */
import { WeftError } from "@weft/core";
import { named } from "@weft/core/transport";

/**
 * A function was given where a cluster pool needs a task name. No code travels over the queue:
 * a worker node runs only the task modules it was started with, so export the function from the
 * task module and call it by name.
 */
export class InlineTaskError extends WeftError {
  static {
    named(this, "InlineTaskError");
  }
}

/** What the client last knew of a job that Redis lost: submitted and not seen starting, or seen running on a node. */
export type LostJobState = "queued" | "running";

/**
 * A job this client waited for is no longer in Redis: Redis restarted without persistence or
 * rolled back to an older append-only file, or someone removed the job (another client, a
 * dashboard, or BullMQ's clean-up once `keepFinishedFor` had passed). Its result can never
 * arrive. The task may not have run, or may have run (even more than once); submit it again if
 * it must run.
 */
export class JobLostError extends WeftError {
  static {
    named(this, "JobLostError");
  }
  /** The BullMQ job id. */
  readonly jobId: string;
  /** What the client last knew of the job before its key was found gone. */
  readonly lastState: LostJobState;
  /** The Redis key that was looked up and found missing. */
  readonly key: string;

  constructor(jobId: string, key: string, lastState: LostJobState) {
    super(
      `Job ${jobId} is gone from Redis: its key ${key} was not found while this client waited for its result (last seen ${lastState === "running" ? "running on a node" : "queued"}). ` +
        "Redis restarted without persistence, rolled back to an older append-only file, or the job was removed (by another client, a dashboard, or after keepFinishedFor). " +
        "The task may or may not have run; submit it again if it must run.",
    );
    this.jobId = jobId;
    this.key = key;
    this.lastState = lastState;
  }
}

/**
 * Redis could not be reached in time: at the start (`ready()`, and every task submitted before
 * it), or for longer than `connectTimeout` while tasks were waiting. `cause` is the last error
 * the connection reported (refused, DNS, TLS certificate, authentication…), if any.
 */
export class RedisUnavailableError extends WeftError {
  static {
    named(this, "RedisUnavailableError");
  }
  /** How long the client waited, in ms. */
  readonly waitedMs: number;

  constructor(message: string, waitedMs: number, options?: { cause?: unknown }) {
    super(message, options);
    this.waitedMs = waitedMs;
  }
}

/**
 * A job's node stopped renewing its lock more often than BullMQ allows (killed, hung, or cut off
 * from Redis mid-job, each time), and BullMQ's stalled-job check failed the job ("job stalled
 * more than allowable limit"). The task may have run partly, and more than once.
 */
export class JobStalledError extends WeftError {
  static {
    named(this, "JobStalledError");
  }
  /** The BullMQ job id. */
  readonly jobId: string;

  constructor(jobId: string, reason: string) {
    super(
      `Job ${jobId} was lost by the node running it more than once (killed, hung, or cut off from Redis while running it), ` +
        `so BullMQ's stalled-job check failed it: "${reason}". The task may have run partly, and more than once.`,
    );
    this.jobId = jobId;
  }
}

/**
 * Appends the caller's stack to an error raised for a task on the client side, in the form
 * weft's decoded task errors use, so that every rejection shows where the task was submitted.
 */
export function withCallerStack<E extends Error>(error: E, callerSite: Error | undefined): E {
  if (!callerSite?.stack) return error;
  const caller = callerSite.stack.split("\n").slice(1).join("\n");
  Object.defineProperty(error, "stack", { value: `${error.stack ?? `${error.name}: ${error.message}`}\n    --- awaited in the caller ---\n${caller}`, writable: true, configurable: true });
  return error;
}

/** What was too large: a task's encoded argument list (refused at submit) or its encoded result (refused on the node). */
export type PayloadKind = "arguments" | "result";

/**
 * A task's arguments or result encode to more bytes than `maxPayloadBytes` allows. Arguments are
 * refused when the task is submitted (nothing reaches Redis); a result is refused on the node,
 * and the task rejects with this error. Large values held in Redis cost its memory twice (in the
 * job and in the events stream) and slow every client and node reading them: pass a reference (a
 * path, a URL, an object-store key) instead, or raise the limit on the client and the nodes.
 */
export class PayloadTooLargeError extends WeftError {
  static {
    named(this, "PayloadTooLargeError");
  }
  readonly kind: PayloadKind;
  /** The encoded size, in bytes (UTF-8 of the JSON stored in Redis). */
  readonly bytes: number;
  /** The limit that was exceeded, in bytes. */
  readonly limit: number;

  constructor(kind: PayloadKind, bytes: number, limit: number) {
    const where = kind === "arguments"
      ? "Raise ClusterPool's maxPayloadBytes option"
      : "Raise the limit on both sides: ClusterPool's maxPayloadBytes and the nodes' maxPayloadBytes (--max-payload-bytes)";
    super(
      `The task's ${kind} encode to ${bytes} bytes, more than maxPayloadBytes allows (${limit} bytes). ` +
        `${where}, or pass a reference (a path, a URL, a storage key) instead of the data.`,
    );
    this.kind = kind;
    this.bytes = bytes;
    this.limit = limit;
  }
}
