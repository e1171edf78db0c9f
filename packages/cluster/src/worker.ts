/**
 * The worker node: takes jobs from the BullMQ queue and runs each on a local weft Pool, so one
 * machine uses all its cores with threads or processes. It runs only the task modules it was
 * started with; a job names a module and a task, never carries code.
 */
import { Worker, type ConnectionOptions, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { AbortError, InvalidArgumentError, Pool, TaskReferenceError, cpuCount, type ModuleSpecifier, type PoolOptions, type WorkerKind } from "weftjs";
import type { StartOptions } from "@weft/core/adapter";
import { serializeError } from "@weft/core/transport";
import { decodeValue, encodeValue } from "./codec.js";
import { DEFAULT_CONNECT_TIMEOUT_MS, connect, redisOptions, release, within, withinConnectTimeout, type RedisTarget } from "./connection.js";
import { checkPayloadJson, maxPayloadOption } from "./payload.js";
import { NodeReports } from "./node-reports.js";
import { NodeJobs } from "./node-jobs.js";
import { DEFAULT_QUEUE, cancelChannel, clientOfJob, moduleName, type JobData } from "./protocol.js";

/** Options of a worker node. */
export interface ClusterWorkerOptions {
  /** Where Redis is: `"redis://127.0.0.1:6379"`, or ioredis options. */
  readonly redis: RedisTarget;
  /**
   * The task modules this node runs: URLs or paths (known by their base name without extension,
   * `./tasks.js` → "tasks"), or a record of name → URL. Nothing else runs here.
   */
  readonly modules: readonly ModuleSpecifier[] | Readonly<Record<string, ModuleSpecifier>>;
  /** "thread" (default) or "process": the kind of the local pool. */
  readonly kind?: WorkerKind;
  /** Local workers, and jobs taken at once. Default: the CPU count. */
  readonly size?: number;
  /** BullMQ queue name; clients must use the same one. Default "weft". */
  readonly queue?: string;
  /** BullMQ key prefix. Default "bull". */
  readonly prefix?: string;
  /**
   * How long (ms) a job's lock lasts without renewal; a node that stops renewing (killed, hung)
   * loses its jobs to the stalled-job check after about this long. BullMQ's default 30000.
   */
  readonly lockDuration?: number;
  /** How often (ms) this node looks for stalled jobs of any node. BullMQ's default 30000. */
  readonly stalledInterval?: number;
  /**
   * How long (ms) a graceful close waits for running jobs before abandoning them to the
   * stalled-job check. The close returns within this plus at most about four seconds, even if Redis is
   * down (results it could not write are then lost, and the jobs run again elsewhere). Default 30000.
   */
  readonly closeGrace?: number;
  /**
   * How long (ms) the node waits for Redis at the start: `startClusterWorker` rejects with
   * RedisUnavailableError (its cause the connection's last error) if Redis cannot be reached in
   * this time. A node that is running rides out later outages, reconnecting. Default 10000.
   */
  readonly connectTimeout?: number;
  /**
   * Largest encoded result of one job, in bytes (the UTF-8 JSON stored in Redis): a larger one
   * is not stored, and the task rejects with PayloadTooLargeError. A client's own
   * `maxPayloadBytes`, carried in each job, applies too (the smaller wins). `Infinity`: no limit
   * of the node's own. Default 16 MiB.
   */
  readonly maxPayloadBytes?: number;
  /** Passed to the local pool for every worker (env, resource limits, runtime options such as Deno permissions). */
  readonly workerOptions?: StartOptions;
  /**
   * More options of each local pool, as weft's Pool takes them: `maxTasksPerWorker`,
   * `idleTimeout`, `abortGrace`, `spinWait`, and the worker hooks `initializer` (an export's
   * name), `initargs` and `teardown`. Checked when the node starts: a bad one rejects
   * `startClusterWorker` with InvalidArgumentError.
   */
  readonly poolOptions?: NodePoolOptions;
}

/** The local pool's options a node takes from its operator (the rest are the node's own: kind, size, module, workerOptions). */
export type NodePoolOptions = Pick<PoolOptions, "maxTasksPerWorker" | "idleTimeout" | "abortGrace" | "spinWait" | "initializer" | "initargs" | "teardown">;

const NODE_POOL_KEYS = ["maxTasksPerWorker", "idleTimeout", "abortGrace", "spinWait", "initializer", "initargs", "teardown"];

/** A running worker node; see {@link startClusterWorker}. */
export interface ClusterWorker {
  /** A name for this node in logs: host name and pid. */
  readonly name: string;
  /** The module names this node serves. */
  readonly modules: readonly string[];
  /** Jobs this node has finished (completed or failed). */
  readonly finished: number;
  /**
   * Graceful shutdown: takes no new job, lets running jobs finish (up to `closeGrace` ms; then
   * abandons them, and BullMQ's stalled-job check hands them to another node), then stops the
   * local pools and the Redis connections. Resolves within `closeGrace` plus at most about four seconds,
   * whatever Redis does.
   */
  close(): Promise<void>;
  /** Resolves when the node has stopped (after close, or a fatal error). */
  readonly closed: Promise<void>;
}

const KEYS = ["redis", "modules", "kind", "size", "queue", "prefix", "lockDuration", "stalledInterval", "closeGrace", "connectTimeout", "maxPayloadBytes", "workerOptions", "poolOptions"];
/** After the grace, how long stopping the local pools and BullMQ's worker may take before the connections are dropped (ms). */
const TEARDOWN_MS = 2000;

function moduleTable(modules: ClusterWorkerOptions["modules"]): Map<string, string> {
  const table = new Map<string, string>();
  const entries: [string, ModuleSpecifier][] = Array.isArray(modules)
    ? (modules as ModuleSpecifier[]).map((m) => [moduleName(m), m])
    : Object.entries(modules as Record<string, ModuleSpecifier>);
  if (entries.length === 0) throw new InvalidArgumentError("A worker node needs at least one task module (modules: [new URL(\"./tasks.js\", import.meta.url)]).");
  for (const [name, specifier] of entries) {
    if (typeof specifier !== "string" && !(specifier instanceof URL)) throw new InvalidArgumentError(`Task module "${name}" must be a URL or a path string.`);
    if (table.has(name)) throw new InvalidArgumentError(`Two task modules are both named "${name}"; name them apart: { modules: { a: …, b: … } } or --module a=./a.js.`);
    table.set(name, specifier instanceof URL ? specifier.href : specifier);
  }
  return table;
}

function positive(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) throw new InvalidArgumentError(`${what} must be a positive integer; got ${String(value)}.`);
  return value;
}

/** A failure as the client rebuilds it: weft's encoding in the job, a readable reason for dashboards. */
class JobFailure extends Error {}

/**
 * Starts a worker node: connects to Redis, and runs jobs of `queue` on a local weft Pool per
 * task module. Resolves once it is taking jobs.
 *
 * @example
 * ```ts
 * const node = await startClusterWorker({ redis: "redis://127.0.0.1:6379", modules: [new URL("./tasks.js", import.meta.url)], kind: "process" });
 * process.on("SIGTERM", () => node.close());
 * ```
 */
export async function startClusterWorker(options: ClusterWorkerOptions): Promise<ClusterWorker> {
  if (options === null || typeof options !== "object") throw new InvalidArgumentError("startClusterWorker needs options: { redis, modules }.");
  for (const key of Object.keys(options)) {
    if (!KEYS.includes(key)) throw new InvalidArgumentError(`Unknown worker option "${key}". Known: ${KEYS.join(", ")}.`);
  }
  const connection = redisOptions(options.redis);
  const bullConnection = connection as ConnectionOptions;
  const modules = moduleTable(options.modules);
  const kind = options.kind ?? "thread";
  if (kind !== "thread" && kind !== "process") throw new InvalidArgumentError(`kind must be "thread" or "process"; got ${JSON.stringify(kind)}.`);
  const size = positive(options.size, "size") ?? Math.max(1, cpuCount());
  const queueName = options.queue ?? DEFAULT_QUEUE;
  const prefix = options.prefix ?? "bull";
  const closeGrace = positive(options.closeGrace, "closeGrace") ?? 30_000;
  const connectTimeout = positive(options.connectTimeout, "connectTimeout") ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const maxPayloadBytes = maxPayloadOption(options.maxPayloadBytes, "maxPayloadBytes");
  const name = `${globalThis.process?.env?.HOSTNAME ?? "node"}:${globalThis.process?.pid ?? "?"}`;

  const poolOptions = options.poolOptions ?? {};
  if (poolOptions === null || typeof poolOptions !== "object" || Array.isArray(poolOptions)) throw new InvalidArgumentError("poolOptions must be an object of local Pool options.");
  for (const key of Object.keys(poolOptions)) {
    if (!NODE_POOL_KEYS.includes(key)) throw new InvalidArgumentError(`poolOptions.${key} is not an option a node passes to its local pool. Known: ${NODE_POOL_KEYS.join(", ")}.`);
  }
  const localOptions = (module: string): PoolOptions => ({
    kind, size, module: modules.get(module)!,
    // The client keeps its callers' stacks; the node's own would only cost time on every job.
    captureCallerStack: false,
    ...(options.workerOptions ? { workerOptions: options.workerOptions } : {}),
    ...poolOptions,
  });
  // The local Pool checks its options as it is made (and starts no worker until a task comes):
  // a bad option stops the node here, not each job later.
  void new Pool(localOptions(modules.keys().next().value!)).close();
  const pools = new Map<string, Pool>();
  const poolFor = (module: string): Pool => {
    let pool = pools.get(module);
    if (!pool) {
      pool = new Pool(localOptions(module));
      pools.set(module, pool);
    }
    return pool;
  };

  // Cancellation: a client records it, then broadcasts the job id (or its own id, when it was
  // terminated); the node that runs the job aborts it through BullMQ's own job cancellation (the
  // processor's AbortSignal).
  const commands: Redis = connect(connection);
  const subscriber: Redis = connect(connection);
  const reports = new NodeReports(commands, prefix, queueName);
  let worker: Worker | undefined;
  const jobs = new NodeJobs(reports, (jobId, why) => worker?.cancelJob(jobId, why));
  subscriber.on("message", (_channel: string, message: string) => jobs.onMessage(message));

  let finished = 0;
  const processor = async (job: Job<JobData>, _token?: string, signal?: AbortSignal): Promise<null> => {
    const data = job.data;
    const jobId = String(job.id);
    const client = typeof data?.client === "string" && clientOfJob(jobId) === data.client ? data.client : undefined;
    const running = client === undefined ? undefined : jobs.begin(client, jobId, job.attemptsStarted > 1 || job.stalledCounter > 0);
    try {
      if (data?.weft !== 2 || client === undefined) throw new TaskReferenceError(`Job ${jobId} was not submitted by a weft ClusterPool of this version (no "weft: 2" and client id in its data).`);
      // A job of a client found gone waits for the verdict; any other runs beside it (a "no"
      // aborts the task as a running one would be), keeping a Redis round trip off its path.
      if (running!.mustWait && (await running!.verdict) !== "run") return null;
      if (!modules.has(data.module)) {
        throw new TaskReferenceError(`This worker node runs only the task modules it was started with (${[...modules.keys()].join(", ")}); the job asks for "${data.module}". Start the node with --module ${data.module}=./path/to/${data.module}.js.`);
      }
      const pool = poolFor(data.module);
      const args = decodeValue(data.args) as unknown[];
      // Progress values, already paced by the local pool (its first 100, then the latest per 16 ms),
      // go to the client as they come, one stream entry each, ahead of the result on the same connection.
      const onProgress = data.progress === 1 && data.mode === "call"
        ? (value: unknown) => {
          let json: string;
          try {
            json = JSON.stringify(encodeValue(value, "progress")) ?? "null";
          } catch {
            return; // crossed to this node but not to another machine (e.g. shared memory): dropped
          }
          void reports.progressJson(client, jobId, json).catch(() => undefined);
        }
        : undefined;
      const taskOptions = { ...(signal ? { signal } : {}), ...(data.timeout !== undefined ? { timeout: data.timeout } : {}), ...(onProgress ? { onProgress } : {}) };
      const task = data.task as never;
      // A map chunk spreads over this node's workers, as the local pool's own map does.
      const result = data.mode === "call"
        ? await pool.apply(task, args as never, taskOptions)
        : data.mode === "map"
          ? await pool.map(task, args[0] as never, taskOptions)
          : await pool.starmap(task, args[0] as never, taskOptions);
      const json = JSON.stringify(encodeValue(result, "result")) ?? "null";
      checkPayloadJson(json, Math.min(maxPayloadBytes, data.maxResultBytes ?? Infinity), "result");
      // Sent on BullMQ's own connection, just before BullMQ's completion, so Redis takes the
      // result first; not awaited, which would cost a round trip per job. The result goes to its
      // client's stream only: BullMQ stores none, in the job or its events.
      if ((await running!.verdict) === "run") void reports.finishedJson(client, jobId, "done", json).catch(() => undefined);
      return null;
    } catch (thrown) {
      // A job that was not to run, or that its client withdrew, ends quietly: completed, and so
      // removed, with nothing to report (its client no longer waits for it).
      if (running && ((await running.verdict) !== "run" || jobs.withdrawn(jobId))) return null;
      const error = signal?.aborted && !(thrown instanceof Error) ? new AbortError("The task was aborted.", { cause: thrown }) : thrown;
      // Redis gone: the job still fails in BullMQ, where the client's look-up finds it.
      if (client !== undefined) void reports.finished(client, jobId, "failed", encodeValue(serializeError(error), "error")).catch(() => undefined);
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new JobFailure(reason);
    } finally {
      if (client !== undefined) jobs.end(client, jobId);
      finished++;
    }
  };

  worker = new Worker<JobData>(queueName, processor, {
    connection: bullConnection,
    prefix,
    concurrency: size,
    name,
    ...(options.lockDuration !== undefined ? { lockDuration: positive(options.lockDuration, "lockDuration") } : {}),
    ...(options.stalledInterval !== undefined ? { stalledInterval: positive(options.stalledInterval, "stalledInterval") } : {}),
  });
  worker.on("error", () => undefined);
  try {
    // The EXISTS is a probe: a Redis user whose ACL lacks the queue's keys is refused here, at
    // the start, rather than by every later command of BullMQ's worker, which only retries.
    await withinConnectTimeout(Promise.all([subscriber.subscribe(cancelChannel(prefix, queueName)), worker.waitUntilReady(), commands.exists(`${prefix}:${queueName}:meta`)]), [commands, subscriber], connection, connectTimeout, `Worker node ${name}`);
    reports.use((await worker.backend.client) as unknown as Redis);
  } catch (error) {
    // Nothing of a node that never started may keep the process alive.
    void worker.close(true).catch(() => undefined);
    commands.disconnect();
    subscriber.disconnect();
    await within(worker.disconnect(), TEARDOWN_MS);
    throw error;
  }

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // BullMQ's graceful close waits for running jobs and then for Redis to take their results;
      // with Redis down it never ends, so the grace bounds it whatever holds it up.
      const outcome = await within(worker!.close(), closeGrace);
      // Running jobs (or Redis) overran the grace: stop without finishing them; their locks lapse
      // and another node's stalled-job check takes them back.
      const late = outcome === "late";
      // BullMQ's disconnect drops its sockets at once but then waits for an "end" that a
      // connection retrying an unreachable Redis never emits: not waited for.
      if (late) void worker!.disconnect().catch(() => undefined);
      await within(Promise.allSettled([...pools.values()].map((pool) => (late ? pool.terminate() : pool.close()))), TEARDOWN_MS);
      await Promise.all([release(commands), release(subscriber)]);
      resolveClosed();
    })();
    return closing;
  };

  return {
    name,
    modules: [...modules.keys()],
    get finished() {
      return finished;
    },
    close,
    closed,
  };
}
