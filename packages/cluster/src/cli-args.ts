/** The arguments of `weft-cluster worker`, turned into worker options. */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { InvalidArgumentError } from "weftjs";
import { redisOptions, type RedisTarget } from "./connection.js";
import { moduleName } from "./protocol.js";
import type { ClusterWorkerOptions } from "./worker.js";

export const USAGE = `Usage: weft-cluster worker --module [name=]./tasks.js [--module …] [options]

Takes jobs from a BullMQ queue in Redis and runs each on a local weft pool.

  --module [name=]path   a task module this node runs (repeatable); known to clients by name,
                         by default the file's base name ("./lib/tasks.js" → "tasks")
  --redis URL            Redis to connect to (default redis://127.0.0.1:6379; rediss:// for TLS)
  --password-file PATH   read the Redis password from this file (one line), instead of the URL;
                         or set WEFT_REDIS_PASSWORD in the environment
  --tls-ca PATH          trust this CA certificate (PEM) for the Redis server's, beside the
                         system's; with a rediss:// URL
  --tls-cert PATH, --tls-key PATH
                         this node's client certificate and its key (PEM), for a Redis that
                         asks clients for one (tls-auth-clients yes); with a rediss:// URL
  --connect-timeout MS   give up, with a message and exit code 1, if Redis cannot be reached at
                         the start within this long (default 10000)
  --kind thread|process  kind of the local pool (default thread)
  --size N               local workers and jobs taken at once (default: CPU count)
  --queue NAME           BullMQ queue name (default weft)
  --prefix PREFIX        BullMQ key prefix (default bull)
  --lock-duration MS     a job's lock; a dead node's jobs are recovered after about this long (default 30000)
  --stalled-interval MS  how often to look for stalled jobs (default 30000)
  --grace MS             on SIGTERM, how long running jobs may take to finish (default 30000);
                         the node exits within this plus a few seconds, even if Redis is down
  --max-payload-bytes N  largest encoded result of a job, in bytes (default 16777216); a larger
                         one rejects its task with PayloadTooLargeError
  --worker-options JSON  options for every local worker, as weft's Pool takes them, e.g. Deno
                         permissions: '{"runtimeOptions":{"permissions":{"env":["HOME"]}}}'
  --pool-options JSON    more options of the local pool: maxTasksPerWorker, idleTimeout,
                         abortGrace, spinWait, initializer, initargs, teardown, e.g.
                         '{"initializer":"connect","initargs":["db"],"maxTasksPerWorker":100}'`;

/** Bad command-line arguments; the CLI prints the message and the usage. */
export class UsageError extends InvalidArgumentError {}

function fail(message: string): never {
  throw new UsageError(message);
}

function integer(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value <= 0) fail(`${flag} takes a positive integer; got ${text === undefined ? "nothing" : JSON.stringify(text)}.`);
  return value;
}

function json<T>(flag: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    fail(`${flag} takes JSON; got ${JSON.stringify(text)}.`);
  }
}

/** The environment variable a node takes the Redis password from, when neither the URL nor --password-file gives one. */
export const PASSWORD_ENV = "WEFT_REDIS_PASSWORD";

function readPassword(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    fail(`--password-file ${JSON.stringify(path)} cannot be read: ${error instanceof Error ? error.message : String(error)}.`);
  }
  // One line, as `echo secret > file` writes it: the line end is not part of the password.
  const password = text.replace(/\r?\n$/, "");
  if (password.length === 0) fail(`--password-file ${JSON.stringify(path)} is empty.`);
  if (/[\r\n]/.test(password)) fail(`--password-file ${JSON.stringify(path)} holds more than one line; put the password alone on one line.`);
  return password;
}

/** The TLS files of --tls-ca, --tls-cert and --tls-key. */
interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

function readPem(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    fail(`${flag} ${JSON.stringify(path)} cannot be read: ${error instanceof Error ? error.message : String(error)}.`);
  }
}

/** The TLS options for the files given, on top of what the rediss:// URL set; undefined when no file was given. */
function tlsOptions(files: TlsFiles, urlTls: unknown): Record<string, unknown> | undefined {
  if (files.ca === undefined && files.cert === undefined && files.key === undefined) return undefined;
  if (urlTls === undefined) fail("--tls-ca, --tls-cert and --tls-key need a rediss:// URL (TLS); --redis gives a redis:// one.");
  if ((files.cert === undefined) !== (files.key === undefined)) fail("--tls-cert and --tls-key go together: the certificate and its private key.");
  return {
    ...(urlTls as object),
    ...(files.ca !== undefined ? { ca: readPem("--tls-ca", files.ca) } : {}),
    ...(files.cert !== undefined ? { cert: readPem("--tls-cert", files.cert), key: readPem("--tls-key", files.key!) } : {}),
  };
}

/**
 * Where Redis is, with its password from the URL, else --password-file, else the environment,
 * and the TLS files given. A URL with a password and a password file together are refused:
 * which one is meant is unclear.
 */
function redisTarget(url: string, passwordFile: string | undefined, tlsFiles: TlsFiles, env: Readonly<Record<string, string | undefined>>): RedisTarget {
  let options: ReturnType<typeof redisOptions>;
  try {
    options = redisOptions(url);
  } catch (error) {
    fail(`--redis: ${error instanceof Error ? error.message : String(error)}`);
  }
  const tls = tlsOptions(tlsFiles, options.tls);
  const withTls = tls === undefined ? options : { ...options, tls };
  if (passwordFile !== undefined) {
    if (options.password !== undefined) fail("give the Redis password either in the --redis URL or with --password-file, not both.");
    return { ...withTls, password: readPassword(passwordFile) };
  }
  const fromEnv = env[PASSWORD_ENV];
  if (options.password === undefined && fromEnv !== undefined && fromEnv !== "") return { ...withTls, password: fromEnv };
  return tls === undefined ? url : withTls;
}

/**
 * Parses the arguments after `worker`; throws UsageError on a bad one. `env` supplies
 * WEFT_REDIS_PASSWORD; a --password-file is read here.
 */
export function parseWorkerArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): ClusterWorkerOptions {
  const modules: Record<string, string> = {};
  let redis = "redis://127.0.0.1:6379";
  let passwordFile: string | undefined;
  const tlsFiles: TlsFiles = {};
  const options: { -readonly [K in keyof ClusterWorkerOptions]?: ClusterWorkerOptions[K] } = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    const take = () => {
      if (value === undefined || value.startsWith("--")) fail(`${flag} needs a value.`);
      i++;
      return value;
    };
    switch (flag) {
      case "--module": {
        const text = take();
        const at = text.indexOf("=");
        const path = at > 0 ? text.slice(at + 1) : text;
        const url = pathToFileURL(resolve(path)).href;
        const name = at > 0 ? text.slice(0, at) : moduleName(path);
        if (name in modules) fail(`two modules are named "${name}"; name them apart with --module a=./a.js.`);
        modules[name] = url;
        break;
      }
      case "--redis": redis = take(); break;
      case "--password-file": passwordFile = take(); break;
      case "--tls-ca": tlsFiles.ca = take(); break;
      case "--tls-cert": tlsFiles.cert = take(); break;
      case "--tls-key": tlsFiles.key = take(); break;
      case "--connect-timeout": options.connectTimeout = integer(flag, take()); break;
      case "--kind": {
        const kind = take();
        if (kind !== "thread" && kind !== "process") fail(`--kind is "thread" or "process"; got ${JSON.stringify(kind)}.`);
        options.kind = kind;
        break;
      }
      case "--size": options.size = integer(flag, take()); break;
      case "--queue": options.queue = take(); break;
      case "--prefix": options.prefix = take(); break;
      case "--lock-duration": options.lockDuration = integer(flag, take()); break;
      case "--stalled-interval": options.stalledInterval = integer(flag, take()); break;
      case "--grace": options.closeGrace = integer(flag, take()); break;
      case "--max-payload-bytes": options.maxPayloadBytes = integer(flag, take()); break;
      case "--worker-options": options.workerOptions = json(flag, take()); break;
      case "--pool-options": options.poolOptions = json(flag, take()); break;
      default: fail(`unknown argument ${JSON.stringify(flag)}.`);
    }
  }
  if (Object.keys(modules).length === 0) fail("give at least one --module: a worker node runs only the task modules it was started with.");
  return { ...options, redis: redisTarget(redis, passwordFile, tlsFiles, env), modules };
}

