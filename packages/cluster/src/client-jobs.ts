/**
 * One task of a cluster client as a BullMQ job: the front's task ({@link FrontTask}: its future,
 * its AbortSignal, settled once) with what Redis needs — the job's id and data — and what the
 * client has seen of it. {@link buildJob} checks a submission and makes its job.
 */
import { InvalidArgumentError } from "@weft/core";
import { FrontTask, checkArgumentList, checkTaskSignal, type TaskObserver } from "@weft/core/transport";
import { encodeValue } from "./codec.js";
import { TASK_KEYS, checkKeys, checkPositive, type ClusterTaskOptions, type PoolSettings } from "./client-options.js";
import { InlineTaskError } from "./errors.js";
import { checkPayload } from "./payload.js";
import type { JobData } from "./protocol.js";

/** One job this client waits for. */
export class ClusterJob extends FrontTask {
  /** The BullMQ job id: this client's id and a counter. */
  readonly id: string;
  /** The export the node calls (the BullMQ job's name). */
  readonly task: string;
  readonly data: JobData;
  readonly submittedAt = performance.now();
  /** Settles once the job's add was answered (or failed). */
  added: Promise<unknown> = Promise.resolve();
  /** The job is in Redis (its add was answered), so a look-up that misses it means Redis lost it. */
  stored = false;
  /** A node has started it (as far as the results stream told). */
  running = false;
  /** The caller's progress callback, if it gave one (the node then passes the task's values on). */
  onProgress: ((value: unknown) => void) | undefined;

  constructor(id: string, task: string, data: JobData, timeoutMs: number | undefined, signal: AbortSignal | undefined, callerSite: Error | undefined, observer: TaskObserver) {
    super({ timeoutMs, signal, callerSite }, observer);
    this.id = id;
    this.task = task;
    this.data = data;
  }
}

/** What a submission becomes a job with. */
export interface JobContext {
  readonly settings: PoolSettings;
  readonly clientId: string;
  /** A new job id, unique in this client (called once the submission passed its checks). */
  nextId(): string;
}

/** Checks one submission and makes its job; throws a named error on bad input. */
export function buildJob(context: JobContext, task: unknown, args: unknown, mode: JobData["mode"], options: ClusterTaskOptions | undefined, observer: TaskObserver): ClusterJob {
  const { settings } = context;
  checkKeys(options, TASK_KEYS, "task options");
  if (typeof task === "function") {
    throw new InlineTaskError(
      `A cluster pool cannot run an inline function (${task.name ? `"${task.name}"` : "an anonymous function"}): no code travels over the queue. ` +
        `Export it from the task module "${settings.module}", start the worker nodes with that module, and call it by name.`,
    );
  }
  if (typeof task !== "string" || task.length === 0) {
    throw new InvalidArgumentError(`A task is the name of a function exported by the task module "${settings.module}"; got ${typeof task === "string" ? "an empty string" : typeof task}.`);
  }
  checkArgumentList(args);
  const timeout = checkPositive(options?.timeout, "Task timeout", false) ?? settings.taskTimeout;
  const signal = checkTaskSignal(options?.signal);
  const onProgress = options?.onProgress;
  if (onProgress !== undefined && typeof onProgress !== "function") throw new InvalidArgumentError(`Task option onProgress must be a function (called with each progress value); got ${onProgress === null ? "null" : typeof onProgress}.`);
  const encoded = encodeValue(args, "args");
  const limit = settings.maxPayloadBytes;
  checkPayload(encoded, limit, "arguments");
  const timed = timeout !== undefined && timeout !== Infinity;
  const data: JobData = {
    weft: 2, client: context.clientId, module: settings.module, task, args: encoded, mode,
    ...(timed ? { timeout } : {}),
    ...(limit !== Infinity ? { maxResultBytes: limit } : {}),
    ...(onProgress ? { progress: 1 as const } : {}),
  };
  const job = new ClusterJob(context.nextId(), task, data, timed ? timeout : undefined, signal, settings.captureCallerStack ? new Error("caller") : undefined, observer);
  job.onProgress = onProgress;
  return job;
}
