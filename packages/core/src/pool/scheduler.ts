/**
 * The local pool's dispatcher (see dispatcher.ts): which task goes to which worker, and when —
 * the queue, starting and stopping workers, the pipeline depth, the rule that abortable tasks
 * go only to idle workers, the start-failure limit and idle workers. The pool's front (front.ts)
 * owns the tasks' futures, the ledger of pending ones, and back-pressure over the queue's size.
 */
import { PoolClosedError, WorkerStartError } from "../errors.js";
import type { Adapter, ExitInfo, StartOptions, WorkerKind } from "../port.js";
import type { TaskDispatcher } from "./dispatcher.js";
import type { PoolRecorder } from "./stats.js";
import type { PoolTask } from "./task.js";
import { TaskQueue } from "./task-queue.js";
import { type SlotOwner, type SlotSettings, WorkerSlot } from "./worker-slot.js";

/** Most tasks in flight on one worker. */
const MAX_PIPELINE = 64;
/** Workers in a row that may die before they are ready before the pool stops starting them. */
export const START_FAILURE_LIMIT = 3;
/** Tasks averaging longer than this (ms) are sent one at a time per worker, for balance. */
const LONG_TASK_MS = 2;

/** What the scheduler needs from the pool's options. */
export interface SchedulerSettings extends Omit<SlotSettings, "recorder"> {
  readonly adapter: Adapter;
  readonly kind: WorkerKind;
  readonly size: number;
  readonly module: string | undefined;
  readonly idleTimeout: number;
  readonly workerOptions: StartOptions;
}

export class Scheduler implements SlotOwner, TaskDispatcher<PoolTask> {
  readonly queue = new TaskQueue<PoolTask>();
  readonly #slots = new Set<WorkerSlot>();
  readonly #settings: SchedulerSettings;
  readonly #slotSettings: SlotSettings;
  readonly #recorder: PoolRecorder;
  #nextWorkerNumber = 1;
  #pumpScheduled = false;
  #startFailures = 0;
  #lastStartFailure: ExitInfo | undefined;
  /** The initializer's error, when that is why the last worker failed to start. */
  #lastSetupError: { readonly error: unknown } | undefined;
  #averageTaskMs: number | undefined;
  #closing = false;
  #terminated = false;
  /** The front's callback: the queue's size changed outside dispatch and settling. */
  #queueChanged: () => void = () => undefined;

  constructor(settings: SchedulerSettings, recorder: PoolRecorder) {
    this.#settings = settings;
    this.#recorder = recorder;
    const { abortGrace, spinWaitUs, maxTasksPerWorker, setup, teardownBoundMs, reportError } = settings;
    this.#slotSettings = { abortGrace, spinWaitUs, maxTasksPerWorker, setup, teardownBoundMs, reportError, recorder };
  }

  // ----- tasks in ------------------------------------------------------------------------------

  /** Workers at most: map's chunking plans for as many. */
  get capacity(): number {
    return this.#settings.size;
  }

  /** Tasks waiting for a worker: what maxQueue limits. */
  get queued(): number {
    return this.queue.size;
  }

  watchQueue(onChange: () => void): void {
    this.#queueChanged = onChange;
  }

  /** Queues a task (the front checked the room) and schedules a dispatch round. */
  dispatch(task: PoolTask): void {
    // Someone is submitting again: give starting workers another chance after a failure streak.
    this.#startFailures = Math.min(this.#startFailures, START_FAILURE_LIMIT - 1);
    this.queue.push(task);
    this.#recorder.task("queued", task);
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  /** The caller gave up on `task` (abort, cancel): a queued one never runs; a running one is aborted. */
  cancel(task: PoolTask, error: Error): void {
    if (task.settled) return;
    if (this.queue.remove(task)) {
      task.fail(error, "cancelled");
      return;
    }
    for (const slot of this.#slots) slot.abandon(task, error, "cancelled");
  }

  /** Workers start on demand: nothing to wait for but room, which the front waits for. Rejects with PoolClosedError once closed. */
  ready(): Promise<void> {
    return this.#closing ? Promise.reject(this.closedError()) : Promise.resolve();
  }

  // ----- dispatching ---------------------------------------------------------------------------

  #pipelineDepth(workers: number): number {
    const perWorker = Math.ceil(this.queue.size / Math.max(1, workers));
    if (this.#averageTaskMs === undefined) return Math.max(1, Math.min(4, perWorker));
    if (this.#averageTaskMs > LONG_TASK_MS) return 1;
    return Math.max(1, Math.min(MAX_PIPELINE, perWorker));
  }

  #pump(): void {
    if (this.#terminated || this.queue.size === 0) {
      this.#queueChanged();
      return;
    }
    let idle = 0;
    let usable = 0;
    for (const slot of this.#slots) {
      if (!slot.usable) continue;
      usable++;
      if (!slot.busy) idle++;
    }
    while (usable < this.#settings.size && this.queue.size > idle && this.#startFailures < START_FAILURE_LIMIT) {
      if (!this.#spawn()) break;
      usable++;
      idle++;
    }
    const depth = this.#pipelineDepth(usable);
    const slots = [...this.#slots].filter((slot) => slot.usable).sort((a, b) => a.inflight - b.inflight);
    for (const slot of slots) {
      if (this.queue.size === 0) break;
      const room = slot.room(depth);
      if (room > 0) this.#dispatch(slot, room);
    }
    this.#queueChanged();
  }

  #dispatch(slot: WorkerSlot, room: number): void {
    const batch: PoolTask[] = [];
    while (batch.length < room) {
      const next = this.queue.peek();
      if (!next) break;
      // A task with an AbortSignal goes only to an idle worker, so that until it starts it stays
      // here, where aborting it removes it for sure (a worker cannot see an abort message while
      // it runs the tasks queued before it).
      if (next.signal && (slot.busy || batch.length > 0)) break;
      batch.push(this.queue.shift()!);
    }
    if (batch.length > 0) slot.dispatch(batch);
  }

  #spawn(): boolean {
    const { adapter, kind, module, workerOptions } = this.#settings;
    let slot: WorkerSlot;
    try {
      slot = new WorkerSlot(
        this.#nextWorkerNumber++,
        {
          adapter,
          kind,
          fastLane: true,
          startOptions: { ...workerOptions, name: workerOptions.name ?? `weft-${kind}`, ...(module === undefined ? {} : { module }) },
        },
        this.#slotSettings,
        this,
      );
    } catch (error) {
      for (const task of this.queue.drain()) task.fail(error, "failed");
      return false;
    }
    this.#slots.add(slot);
    this.#recorder.worker("workerstart", slot);
    return true;
  }

  // ----- what slots report ---------------------------------------------------------------------

  slotReady(): void {
    this.#startFailures = 0;
  }

  slotRan(ms: number): void {
    this.#averageTaskMs = this.#averageTaskMs === undefined ? ms : this.#averageTaskMs * 0.9 + ms * 0.1;
  }

  slotAnswered(slot: WorkerSlot): void {
    if (!slot.busy && this.queue.size === 0) slot.idle(this.#settings.idleTimeout);
    this.#pump();
  }

  slotExited(slot: WorkerSlot, info: ExitInfo, unstarted: PoolTask[], expected: boolean, everReady: boolean): void {
    this.#slots.delete(slot);
    if (!expected && !everReady) {
      this.#startFailures++;
      this.#lastStartFailure = info;
      this.#lastSetupError = slot.setupError;
    }
    if (this.#terminated) {
      for (const task of unstarted) task.fail(this.closedError(), "cancelled");
    } else {
      this.queue.unshiftAll(unstarted);
      this.#queueChanged();
    }
    this.#recorder.worker("workerexit", slot, info);
    if (this.#startFailures >= START_FAILURE_LIMIT) {
      const failure = this.#lastSetupError ? this.#initializerFailure(this.#lastSetupError.error) : this.#startFailure(info);
      for (const task of this.queue.drain()) task.fail(failure, "failed");
    }
    this.#pump();
  }

  #startFailure(info: ExitInfo): WorkerStartError {
    const how = info.signal ? `was killed by ${info.signal}` : `exited with code ${info.code}`;
    // The adapter's account of the death (e.g. a worker entry a bundler did not emit) is the likeliest fix: say it here, not only in `cause`.
    const why = info.error instanceof Error ? `: ${info.error.message}` : "";
    return new WorkerStartError(
      `${START_FAILURE_LIMIT} ${this.#settings.kind} workers in a row ended before they were ready (the last ${how}${why}); the pool stopped starting new ones. ` +
        `Check the worker's environment and options; submitting again retries.`,
      { cause: this.#lastStartFailure?.error },
    );
  }

  #initializerFailure(error: unknown): WorkerStartError {
    const name = this.#settings.setup?.initializer?.target.name ?? "?";
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new WorkerStartError(
      `The pool's initializer "${name}" failed in ${START_FAILURE_LIMIT} ${this.#settings.kind} workers in a row (the last with ${what}); the pool stopped starting new ones. ` +
        `Fix the initializer (its error is this error's cause); submitting again retries.`,
      { cause: error },
    );
  }

  // ----- the pool's end ------------------------------------------------------------------------

  get workers(): ReadonlySet<WorkerSlot> {
    return this.#slots;
  }

  closedError(): PoolClosedError {
    return new PoolClosedError(this.#terminated ? "The pool was terminated; create a new Pool to run more tasks." : "The pool is closed; create a new Pool to run more tasks.");
  }

  /** No more submissions: `ready()` rejects from now. */
  close(): void {
    this.#closing = true;
  }

  /** Fails every queued and running task with `error` (the pool was terminated: see TaskDispatcher.terminate). */
  terminate(error: Error): void {
    this.close();
    if (this.#terminated) return;
    this.#terminated = true;
    for (const task of this.queue.drain()) task.fail(error, "cancelled");
    for (const slot of this.#slots) slot.failAll(error);
  }

  /** Stops every worker — after its teardown, unless the pool was terminated; resolves when all are gone. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.#slots].map((slot) => (this.#terminated ? slot.stop() : slot.retire())));
  }
}
