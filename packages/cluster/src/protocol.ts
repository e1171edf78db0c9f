/**
 * What a client and a worker node agree on: the job data, how a failure is recorded, and the
 * Redis names beside BullMQ's own keys. Nothing here is code: a job names a task of a module the
 * node was started with.
 */
/** The default BullMQ queue name of a cluster pool. */
export const DEFAULT_QUEUE = "weft";

/** The data of one BullMQ job: which task of which module, with its encoded arguments. */
export interface JobData {
  /** Version of this shape, so that an older node refuses a newer client's jobs clearly. */
  readonly weft: 2;
  /** The submitting client's id: its outcome goes to that client's results stream ({@link ClientKeys}). */
  readonly client: string;
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
  /** 1 when the client listens to the task's progress values: the node passes them on (paced by its local pool), else drops them. */
  readonly progress?: 1;
}

/** The Redis channel on which clients ask every node to abort a running job. */
export function cancelChannel(prefix: string, queue: string): string {
  return `${prefix}:${queue}:weft:cancel`;
}

/** A message on the cancel channel: abort this one job, or every job of this client (terminated). */
export type CancelMessage = `job:${string}` | `client:${string}`;

/**
 * The keys one client owns, beside BullMQ's, all under the queue's prefix (so `~prefix:*` ACLs
 * cover them) and all removed when the client closes:
 * - `results`: a stream the nodes append this client's outcomes to ("active", "done", "failed"),
 *   and only this client reads; it trims what it has read. It is also the client's lease: the
 *   client keeps renewing its time to live (`leaseDuration`), and nodes write with NOMKSTREAM, so
 *   once the client is gone (dead, terminated, closed) the stream is gone, a node's write finds
 *   nothing, and the node drops that client's jobs without running them.
 * - `cancelled`: the ids of this client's cancelled jobs, for a node that takes one after the
 *   cancellation was broadcast.
 */
export interface ClientKeys {
  readonly results: string;
  readonly cancelled: string;
}

/** The keys of client `clientId` on queue `queue`. */
export function clientKeys(prefix: string, queue: string, clientId: string): ClientKeys {
  const base = `${prefix}:${queue}:weft:client:${clientId}`;
  return { results: `${base}:results`, cancelled: `${base}:cancelled` };
}

/** The client id a job id starts with (`<client>-<n>`). */
export function clientOfJob(jobId: string): string {
  const dash = jobId.lastIndexOf("-");
  return dash > 0 ? jobId.slice(0, dash) : jobId;
}

/** How long a cancellation set outlives its last write (ms), if its client never removes it (it died). */
export const CLIENT_KEYS_TTL_MS = 3_600_000;

/** The fields of one entry of a results stream. */
export const RESULT_FIELDS = { event: "e", job: "j", value: "v", restarted: "r" } as const;
/** What an entry of a results stream says of a job. */
export type ResultEvent = "active" | "progress" | "done" | "failed" | "lease";

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

/**
 * The name a module is known by across machines: what the node was told (`name=./path.js`), or
 * the file's base name without its extension (`./lib/tasks.js` → "tasks").
 */
export function moduleName(specifier: string | URL): string {
  const text = specifier instanceof URL ? specifier.pathname : specifier;
  const base = text.split(/[\\/]/).pop() ?? text;
  return base.replace(/\.(m|c)?(j|t)sx?$/, "");
}
