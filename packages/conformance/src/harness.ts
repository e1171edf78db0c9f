/**
 * What a runtime's test file hands to the suite, and what the suite hands back: a flat list of
 * cases to register with that runtime's own test runner.
 */
import type { Adapter, WorkerKind } from "@weft/core";

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

export interface Harness {
  readonly adapter: Adapter;
  /** Default `standard`. */
  readonly scale?: Scale;
  /** Which kinds to run; default both. */
  readonly kinds?: readonly WorkerKind[];
  readonly host?: HostHooks;
  /** URL of the built fixture task module as this runtime imports it; defaults to the one beside the suite. */
  readonly fixtures?: string;
}

/** What one case gets when it runs. */
export interface CaseContext {
  readonly adapter: Adapter;
  readonly kind: WorkerKind;
  readonly fixtures: string;
  readonly host: HostHooks;
  readonly scale: Scale;
  /** Declares the case skipped (with the reason printed); throws to stop the case. */
  skip(reason: string): never;
  /** Records a measurement (e.g. the speedup) into the run's result file. */
  measure(name: string, value: number): void;
}

export interface CaseDefinition {
  readonly name: string;
  /** Kinds this case applies to; default both. */
  readonly kinds?: readonly WorkerKind[];
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
