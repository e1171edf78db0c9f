/**
 * The adapter port: the small surface a runtime implements so that the core can run
 * workers on it. Adapters hold glue only; scheduling, protocol and errors live in the core.
 *
 * Nothing here assumes the worker shares a machine with the caller except
 * {@link Capabilities.sharedMemory}: an endpoint is "something that takes and yields
 * structured-clone messages and tells when it is gone", which a remote worker can also be.
 */

import type { TransferableObject } from "./web-types.js";
import type { FromWorker, ToWorker } from "./protocol.js";

import type { WorkerKind } from "./worker-kind.js";
export type { WorkerKind };


/** The runtimes weft ships adapters for. */
export type RuntimeName = "node" | "deno" | "bun" | "browser";

/** How a worker ended. `code` is the exit code when known, `signal` the signal name when killed by one. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: string | null;
  /** An uncaught error that ended the worker, when the runtime reports one. */
  readonly error?: unknown;
}

/**
 * The caller's side of one worker. Every adapter returns this same shape for both kinds.
 *
 * The contract the core relies on (the conformance suite checks it):
 * - **Order.** Messages arrive in the order the worker sent them, and every message the worker
 *   sent before it ended is delivered before its exit is reported. (Crash blame depends on it:
 *   results a worker flushed before dying must settle their tasks before the exit fails the
 *   task still running.)
 * - **One exit report.** `onExit`'s handler runs exactly once, whatever ended the worker; a
 *   handler registered after the end is called at once. No message is delivered after it.
 * - **terminate().** Stops the worker and resolves after the exit report. After it resolves the
 *   worker runs no more code, except where a capability says otherwise (see
 *   {@link Capabilities.notes}); a process that ignores SIGTERM is killed after a grace period.
 * - **send().** Throws at once if the message cannot be carried (the core then fails only the
 *   task it carried) or the worker is gone.
 *
 * Adapters usually build it with `createEndpoint` (endpoint-kit.ts), which implements the
 * bookkeeping of this contract once.
 */
export interface Endpoint<Out = ToWorker, In = FromWorker> {
  /** Sends one message; ArrayBuffers in `transfer` move to threads and are copied to processes. */
  send(message: Out, transfer?: readonly TransferableObject[]): void;
  /** Called for every message the worker sends, in order. */
  onMessage(handler: (message: In) => void): void;
  /** Called exactly once when the worker is gone, whatever the reason. */
  onExit(handler: (info: ExitInfo) => void): void;
  /** Stops the worker at once. Resolves when it is gone; {@link onExit} has fired by then. */
  terminate(): Promise<void>;
  /** Lets the host exit while this worker is idle (Node's unref), where the runtime has the notion. */
  setKeepAlive?(keepAlive: boolean): void;
  /** The OS process id of a process worker, when the runtime exposes one. */
  readonly pid?: number;
}

/** Options every adapter understands when starting a worker. */
export interface StartOptions {
  /** A name for debugging (thread name, process title where possible). */
  readonly name?: string;
  /** Environment variables for a process worker. */
  readonly env?: Readonly<Record<string, string>>;
  /** Memory limits, where the runtime supports them (see {@link Capabilities.resourceLimits}). */
  readonly resourceLimits?: { readonly maxHeapMb?: number };
  /**
   * Runtime flags of a process worker (Node's execArgv). Default: the parent's own flags, as
   * Node's `fork` does, so that loaders (tsx, `--import`), type stripping and source maps reach
   * the worker. Adapters whose runtime has no such notion ignore it.
   */
  readonly execArgv?: readonly string[];
  /**
   * A process worker's standard error: `"inherit"` (the default) writes to this process's, as
   * Python's multiprocessing does; `"ignore"` drops it, for a worker expected to die noisily (the
   * runtime's own out-of-memory report, say) whose end is reported by its exit anyway. Threads
   * share this process's stderr and ignore it, as does the browser.
   */
  readonly stderr?: "inherit" | "ignore";
  /** Runtime-specific options, passed through untouched (e.g. Deno permissions). */
  readonly runtimeOptions?: Readonly<Record<string, unknown>>;
  /**
   * The URL of the task module this worker will import, when known (set by Pool, Thread and
   * Process). Lets an adapter grant exactly what loading it needs (e.g. Deno permissions).
   */
  readonly module?: string;
}

/** What a runtime can and cannot do; the conformance suite reads it instead of skipping silently. */
export interface Capabilities {
  /** SharedArrayBuffer can be shared with thread workers (false in a browser page that is not cross-origin isolated). */
  readonly sharedMemory: boolean;
  /** Atomics.wait may block the calling (main) thread. */
  readonly blockingWaitOnMain: boolean;
  /** Process workers report real OS exit codes and signals. */
  readonly processExitCodes: boolean;
  /**
   * Thread workers report the code their runtime's exit call was given. Absent means true;
   * false in a browser, where a worker ends with `self.close()`, which takes no code.
   */
  readonly threadExitCodes?: boolean;
  /**
   * A thread worker busy in synchronous code (a loop that never yields) stops when it is
   * terminated, timed out or aborted past its grace. Absent means true; false where the runtime
   * cannot stop such a thread (Deno: its `Worker.terminate()` leaves a busy worker running).
   */
  readonly stopsBusyThreads?: boolean;
  /** Process workers are real OS processes with a pid. */
  readonly osProcesses: boolean;
  /** Per-worker heap limits are enforced. */
  readonly resourceLimits: boolean;
  /** Free-form notes that explain a `false` above; printed by the conformance suite when it skips. */
  readonly notes?: Readonly<Record<string, string>>;
}

/** The port itself: one object per runtime. */
export interface Adapter {
  readonly runtime: RuntimeName;
  readonly capabilities: Capabilities;
  /** Logical CPUs this host may use. */
  cpuCount(): number;
  /** Starts a worker of the given kind running the adapter's worker bootstrap. */
  start(kind: WorkerKind, options: StartOptions): Endpoint;
}

/**
 * The worker's side of the channel, built by the adapter's worker entry and handed to
 * `serveWorker` from the core, which runs the protocol over it.
 */
export interface WorkerSidePort<Out = FromWorker, In = ToWorker> {
  /** Sends one message to the caller; throws at once if it cannot be carried. */
  send(message: Out, transfer?: readonly TransferableObject[]): void;
  onMessage(handler: (message: In) => void): void;
  /** Ends this worker with an exit code (after flushing what was sent). */
  exit(code: number): void;
  /** Which kind this worker is; a process worker must never receive shared memory. */
  readonly kind: WorkerKind;
  /**
   * The most channel items (Queue, Pipe) one message carries, both ways: a transport that pays
   * much per message wants bigger batches. Default 4,096.
   */
  readonly channelBatch?: number;
  /**
   * For a transport whose writes complete later, on this worker's own event loop (Deno's
   * socket): a promise that settles once what was sent has left, or undefined when nothing waits.
   * The worker awaits it before it runs each task, so that answers sent before a task that never
   * yields are not held behind it (the caller starts a task's run timeout when the answer before
   * it arrives). A transport that writes at once (a pipe written synchronously, postMessage, IPC
   * that writes in its own thread) leaves it out.
   */
  whenSent?(): Promise<void> | undefined;
}
