/**
 * What a client and a worker node agree on: the job data, how a failure is recorded, and the
 * Redis names beside BullMQ's own keys. Nothing here is code: a job names a task of a module the
 * node was started with.
 */
import type { SerializedError } from "@weft/core/transport";

/** The default BullMQ queue name of a cluster pool. */
export const DEFAULT_QUEUE = "weft";

/** The data of one BullMQ job: which task of which module, with its encoded arguments. */
export interface JobData {
  /** Version of this shape, so that an older node refuses a newer client's jobs clearly. */
  readonly weft: 1;
  /** The module's name, as the worker node registered it (`--module name=./path.js`). */
  readonly module: string;
  readonly task: string;
  /** The encoded argument list (see codec.ts). */
  readonly args: unknown;
  /** "call": args is the argument list; "map": args is [items]; "starmap": args is [argument lists]. */
  readonly mode: "call" | "map" | "starmap";
  /** Run timeout in ms, counted on the node from when the task starts running. */
  readonly timeout?: number;
  /** The client's limit on the encoded result (bytes); the node applies the smaller of it and its own. Absent: no limit from the client. */
  readonly maxResultBytes?: number;
  /** Set by the node when the task failed: the error in weft's encoding. */
  readonly error?: SerializedError;
}

/** The Redis channel on which clients ask every node to abort a running job. */
export function cancelChannel(prefix: string, queue: string): string {
  return `${prefix}:${queue}:weft:cancel`;
}

/** The Redis key that records a cancellation, for a node that picks the job up after the message went out. */
export function cancelKey(prefix: string, queue: string, jobId: string): string {
  return `${prefix}:${queue}:weft:cancelled:${jobId}`;
}

/**
 * A client's id, the prefix of its job ids: 128 random bits, so that no two clients share one
 * (two clients with the same prefix would take each other's results).
 */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return `w${hex}`;
}

/** BullMQ's reasons for failing a job its nodes kept losing, without running it again. */
const STALLED_REASONS = ["job stalled more than allowable limit", "job started more than allowable limit"];

/** Whether a failed job's reason is BullMQ's own stalled-job verdict (no task ever threw it). */
export function isStalledFailure(failedReason: string): boolean {
  return STALLED_REASONS.includes(failedReason);
}

/** How long a cancellation record lives (s): longer than any job waits between being picked and started. */
export const CANCEL_RECORD_TTL_S = 3600;

/**
 * The name a module is known by across machines: what the node was told (`name=./path.js`), or
 * the file's base name without its extension (`./lib/tasks.js` → "tasks").
 */
export function moduleName(specifier: string | URL): string {
  const text = specifier instanceof URL ? specifier.pathname : specifier;
  const base = text.split(/[\\/]/).pop() ?? text;
  return base.replace(/\.(m|c)?(j|t)sx?$/, "");
}
