/**
 * What a pool counts and tells: task ends (completed, failed, cancelled), the time its workers
 * were busy, and the events listeners asked for. Everything the pool reports goes through here.
 */
import type { ExitInfo, WorkerKind } from "../port.js";
import type { PoolTask, TaskEnd, TaskObserver } from "./task.js";

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
}

/**
 * The events a pool dispatches, each a CustomEvent whose `detail` is `{ id }` (and `error` for failures).
 * "error" reports a failure that belongs to no task's caller — a worker's teardown, an `onProgress`
 * callback that threw — with `detail` a PoolErrorDetail.
 */
export type PoolEventType = "queued" | "running" | "completed" | "failed" | "cancelled" | "workerstart" | "workerexit" | "error";

/** Identifies a worker in events. */
export interface WorkerIdentity {
  readonly number: number;
  readonly pid: number | undefined;
}

/** Counts, times and reports for one pool; dispatches its events on `target`. */
export class PoolRecorder implements TaskObserver {
  completed = 0;
  failed = 0;
  cancelled = 0;
  readonly #target: EventTarget;
  readonly #createdAt = performance.now();
  readonly #busySince = new Map<number, number>();
  #busyMs = 0;
  readonly #listeners = new Map<string, number>();

  constructor(target: EventTarget) {
    this.#target = target;
  }

  ended(task: PoolTask, end: TaskEnd, error?: unknown): void {
    this[end]++;
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

  worker(type: "workerstart" | "workerexit", worker: WorkerIdentity, exit?: ExitInfo): void {
    if (!this.#listeners.get(type)) return;
    this.#target.dispatchEvent(new CustomEvent(type, { detail: { worker: worker.number, pid: worker.pid, exit } }));
  }
}
