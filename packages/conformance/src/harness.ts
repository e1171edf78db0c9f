/**
 * What a runtime's test file hands to the suite, and what the suite hands back: a flat list of
 * cases to register with that runtime's own test runner.
 */
import type { Adapter, Pool, PoolOptions, WorkerKind } from "@weft/core";

/** Hooks that need the host runtime's own APIs; a missing hook is a declared skip, printed. */
export interface HostHooks {
  /** True if an OS process with this pid is still running. */
  isProcessAlive?(pid: number): boolean | Promise<boolean>;
  /** Kills an OS process from outside (SIGKILL). */
  killProcess?(pid: number): void | Promise<void>;
}

/**
 * How much work the cases do: `quick` shrinks the long ones (soak, speedup) for a run under a
 * minute; `standard` is what each adapter's `npm test` runs; `full` also measures the speedup
 * curve on 1, 2, 4 … workers up to the machine's cores (at most 16).
 */
export type Scale = "quick" | "standard" | "full";

/**
 * What a case may need beyond a pool that runs named tasks. A harness whose pools lack one says
 * why in {@link Harness.lacks}; a case that {@link CaseDefinition.needs needs} it is then a
 * declared skip with that reason, and a case that only checks more where it is there asks
 * {@link CaseContext.has}. Every local adapter has them all; a remote pool (a cluster) lacks the
 * ones that are local by nature.
 */
export type Capability =
  /** Thread and Process objects, each one worker on this machine. */
  | "thread-objects"
  /** concurrent.futures' ThreadPoolExecutor and ProcessPoolExecutor make their own local Pool from their options (where lacking, the cases give them the harness's pool). */
  | "local-executors"
  /** Memory shared with the workers: SharedArrayBuffer, Value, the threading primitives. */
  | "shared-memory"
  /** Queue, Pipe and Manager objects that connect this side with its workers. */
  | "local-channels"
  /** Transferable objects moved to a worker (`transfer`). */
  | "transfer"
  /** Inline functions run as tasks (their source travels to the worker). */
  | "inline-functions"
  /** Task modules loaded by URL on this side's workers: a pool with no module, module URLs checked by the pool. */
  | "module-urls"
  /** The pool's own workers are visible: workerstart/workerexit events, stats.workers and utilisation, run and wait times. */
  | "worker-events";

/**
 * What a pool whose workers are on other machines (a `ClusterPool`) lacks, and why: each is
 * local by nature. The cluster column runs every other case.
 */
export const remotePoolLacks: Readonly<Partial<Record<Capability, string>>> = {
  "thread-objects": "Thread and Process are local objects (one worker on this machine each); a cluster offers a pool",
  "local-executors": "an executor passes its options (initializer, maxWorkers…) to a local Pool it makes; over a cluster an executor takes a ClusterPool as its pool, whose nodes have those options",
  "shared-memory": "no memory is shared between machines",
  "local-channels": "Queue, Pipe and Manager connect this side with its own workers; they do not cross machines",
  transfer: "nothing moves between machines: values are copied, and a transfer list has nothing to move",
  "inline-functions": "no code travels over the queue: a task is an export of a module the nodes were started with (inline functions are refused with InlineTaskError)",
  "module-urls": "a cluster pool names a module its nodes serve; it loads none by URL, so it has no module-less or relative-URL form",
  "worker-events": "a node's workers stay on that node: the client sees no workerstart/workerexit events, worker count or run times",
};

/**
 * Makes the pool a case runs on, from the options a local `Pool` takes (the case's `adapter`
 * and `kind` are added). A harness for another kind of pool (a cluster) returns its pool with
 * the same surface; what that pool lacks is in {@link Harness.lacks}.
 */
export type PoolFactory = (options: PoolOptions) => Pool<never>;

export interface Harness {
  readonly adapter: Adapter;
  /** Default `standard`. */
  readonly scale?: Scale;
  /** Which kinds to run; default both. */
  readonly kinds?: readonly WorkerKind[];
  readonly host?: HostHooks;
  /** URL of the built fixture task module as this runtime imports it; defaults to the one beside the suite. */
  readonly fixtures?: string;
  /** Makes the cases' pools; default a local `Pool` on `adapter`. */
  readonly createPool?: PoolFactory;
  /** Capabilities this harness's pools lack, each with the reason printed when a case that needs it skips. */
  readonly lacks?: Readonly<Partial<Record<Capability, string>>>;
  /** The column's kind in titles and results (e.g. "cluster"); default the worker kind. */
  readonly label?: string;
}

/** What one case gets when it runs. */
export interface CaseContext {
  readonly adapter: Adapter;
  readonly kind: WorkerKind;
  readonly fixtures: string;
  readonly host: HostHooks;
  readonly scale: Scale;
  /** A pool for this case (the harness's kind of pool), with the case's kind and adapter. */
  pool<M = Record<string, (...args: never[]) => unknown>>(options?: Omit<PoolOptions, "adapter" | "kind">): Pool<M>;
  /** Whether this harness's pools have `capability` (see {@link Capability}). */
  has(capability: Capability): boolean;
  /** Declares the case skipped (with the reason printed); throws to stop the case. */
  skip(reason: string): never;
  /** Records a measurement (e.g. the speedup) into the run's result file. */
  measure(name: string, value: number): void;
}

export interface CaseDefinition {
  readonly name: string;
  /** Kinds this case applies to; default both. */
  readonly kinds?: readonly WorkerKind[];
  /** Capabilities the case cannot run without: where the harness lacks one, a declared skip with the harness's reason. */
  readonly needs?: readonly Capability[];
  readonly timeoutMs?: number;
  run(context: CaseContext): Promise<void>;
}

export class CaseSkipped extends Error {
  override name = "CaseSkipped";
}

/**
 * The host hooks for a runtime that can signal a process by pid (POSIX `kill`): pass its own
 * kill function, e.g. `process.kill.bind(process)` on Node and Bun, or one over `Deno.kill`.
 */
export function hostFromKill(kill: (pid: number, signal: 0 | "SIGKILL") => void): HostHooks {
  return {
    isProcessAlive(pid) {
      try {
        kill(pid, 0); // signal 0 checks that the process exists without touching it
        return true;
      } catch {
        return false;
      }
    },
    killProcess(pid) {
      kill(pid, "SIGKILL");
    },
  };
}
