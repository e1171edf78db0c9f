/**
 * What a pool tells and times: the time its workers were busy, run and wait times, and the
 * events listeners asked for. Everything the pool reports goes through here; how many tasks
 * ended how, the pool's front counts (front.ts).
 */
import type { ExitInfo, WorkerKind } from "../port.js";
import { DurationHistogram, type DurationSummary } from "./histogram.js";
import type { PoolTask, TaskEnd } from "./task.js";

/** A snapshot of what the pool is doing. */
export interface PoolStats {
  readonly kind: WorkerKind;
  readonly size: number;
  readonly workers: number;
  readonly idleWorkers: number;
  readonly queued: number;
  readonly running: number;
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
  /** Busy worker time over (elapsed time × size) since the pool was created, 0..1. */
  readonly utilisation: number;
  /**
   * Threads the pool stopped (run timeout, abort past its grace, terminate) while they ran a
   * task, on a runtime that cannot stop a busy thread (`capabilities.stopsBusyThreads` false:
   * Deno). Each may keep a CPU busy until that task's code yields or ends; they never keep the
   * host alive. Always 0 where threads can be stopped, and for processes (they are killed).
   */
  readonly lingeringThreads: number;
  /**
   * How long tasks ran (ms), as the caller sees it: from when a worker could start the task to
   * when its answer arrived. Percentiles are exact to within about 9% (piscina's `runTime`).
   */
  readonly runTime: DurationSummary;
  /** How long tasks waited (ms) from submission until a worker started them (piscina's `waitTime`). */
  readonly waitTime: DurationSummary;
}

/**
 * The events a pool dispatches, each a CustomEvent. Task events ("queued" … "cancelled") carry
 * `{ id }` (and `error` for failures); worker events carry `{ worker, pid, exit }`; "drain" (the
 * pool no longer needs draining: see `Pool.needsDrain`) carries nothing; "error" reports a failure
 * that belongs to no task's caller — a worker's teardown, an `onProgress` callback that threw —
 * with `detail` a PoolErrorDetail.
 */
export type PoolEventType = "queued" | "running" | "completed" | "failed" | "cancelled" | "workerstart" | "workerexit" | "drain" | "error";

/** Identifies a worker in events. */
export interface WorkerIdentity {
  readonly number: number;
  readonly pid: number | undefined;
}

/** Counts, times and reports for one pool; dispatches its events on `target`. */
export class PoolRecorder {
  lingeringThreads = 0;
  readonly #target: EventTarget;
  readonly #createdAt = performance.now();
  readonly #busySince = new Map<number, number>();
  #busyMs = 0;
  readonly runTimes = new DurationHistogram();
  readonly waitTimes = new DurationHistogram();
  readonly #listeners = new Map<string, number>();

  constructor(target: EventTarget) {
    this.#target = target;
  }

  /** A task ended (told by the pool's front, after it counted it). */
  ended(task: PoolTask, end: TaskEnd, error?: unknown): void {
    this.task(end, task, error);
  }

  /** A worker started work after being idle. */
  busy(worker: WorkerIdentity): void {
    if (!this.#busySince.has(worker.number)) this.#busySince.set(worker.number, performance.now());
  }

  /** A worker has nothing left to run (or is gone). */
  idle(worker: WorkerIdentity): void {
    const since = this.#busySince.get(worker.number);
    if (since === undefined) return;
    this.#busyMs += performance.now() - since;
    this.#busySince.delete(worker.number);
  }

  /** Busy time over (elapsed × size), 0..1. */
  utilisation(size: number): number {
    const now = performance.now();
    let busy = this.#busyMs;
    for (const since of this.#busySince.values()) busy += now - since;
    const elapsed = now - this.#createdAt;
    return elapsed > 0 ? Math.min(1, busy / (elapsed * size)) : 0;
  }

  listenerAdded(type: string): void {
    this.#listeners.set(type, (this.#listeners.get(type) ?? 0) + 1);
  }

  listenerRemoved(type: string): void {
    this.#listeners.set(type, Math.max(0, (this.#listeners.get(type) ?? 0) - 1));
  }

  task(type: PoolEventType, task: PoolTask, error?: unknown): void {
    if (!this.#listeners.get(type)) return;
    this.#target.dispatchEvent(new CustomEvent(type, { detail: { id: task.id, error } }));
  }

  /** The pool no longer needs draining. */
  drained(): void {
    if (!this.#listeners.get("drain")) return;
    this.#target.dispatchEvent(new CustomEvent("drain"));
  }

  worker(type: "workerstart" | "workerexit", worker: WorkerIdentity, exit?: ExitInfo): void {
    if (!this.#listeners.get(type)) return;
    this.#target.dispatchEvent(new CustomEvent(type, { detail: { worker: worker.number, pid: worker.pid, exit } }));
  }
}
