/**
 * One worker of a pool and the tasks sent to it, in the order it runs them (one at a time, so
 * the first is the one running): sending (by message or fast lane), run timeouts, aborts and
 * their grace period, matching outcomes to tasks, and deciding who a crash blames. It tells
 * its scheduler what happened through {@link SlotOwner}; it never looks at the queue.
 */
import { TimeoutError, type WorkerExitError } from "../errors.js";
import { HostLink, type HostLinkOptions } from "../host-link.js";
import type { ExitInfo } from "../port.js";
import type { SetupMessage, TaskOutcome } from "../protocol.js";
import { serializeError } from "../codec/thrown.js";
import type { PoolRecorder } from "./stats.js";
import type { PoolTask } from "./task.js";
import { markFutureRunning } from "../future.js";

/** What a slot reports to its scheduler. */
export interface SlotOwner {
  /** The worker has loaded: it can run tasks (a start that succeeded). */
  slotReady(slot: WorkerSlot): void;
  /** A task that had been running finished after `ms` (for the pool's average task time). */
  slotRan(ms: number): void;
  /** Outcomes arrived: the slot may have room again, or be idle. */
  slotAnswered(slot: WorkerSlot): void;
  /**
   * The worker is gone. `unstarted` are tasks it held and never started (to run elsewhere);
   * `expected` is false for a crash; `everReady` is false for a worker that died while loading.
   */
  slotExited(slot: WorkerSlot, info: ExitInfo, unstarted: PoolTask[], expected: boolean, everReady: boolean): void;
}

/** The pool settings a slot needs. */
export interface SlotSettings {
  /** How long (ms) a running task may ignore its abort before its worker is replaced. */
  readonly abortGrace: number;
  /** Microseconds to spin for a fast-lane answer (0: never). */
  readonly spinWaitUs: number;
  /** Tasks a worker runs before it is replaced (Infinity: never). */
  readonly maxTasksPerWorker: number;
  readonly recorder: PoolRecorder;
  /** The pool's worker hooks (initializer, teardown), sent to every worker it starts. */
  readonly setup?: SetupMessage;
  /** How long (ms) a teardown may run before its worker is stopped anyway. */
  readonly teardownBoundMs: number;
  /** Hears of what failed outside any task (a teardown): the pool's "error" event. */
  readonly reportError: (detail: PoolErrorDetail) => void;
}

/** The `detail` of a pool's "error" event: a failure that belongs to no task's caller. */
export interface PoolErrorDetail {
  /** What failed: a worker's teardown, or a caller's `onProgress` callback. */
  readonly source: "teardown" | "onProgress";
  readonly error: unknown;
  /** The worker's number, for a teardown. */
  readonly worker?: number;
  /** The task's id, for an `onProgress` callback. */
  readonly id?: number;
}

export class WorkerSlot {
  readonly number: number;
  readonly #link: HostLink;
  readonly #settings: SlotSettings;
  readonly #owner: SlotOwner;
  readonly #linger: boolean;
  /** Tasks sent and not yet answered, oldest first; the first is running. */
  readonly #inflight: PoolTask[] = [];
  /** When the first in-flight task started running (the later of its dispatch and its predecessor's end). */
  #headStartedAt = 0;
  #dispatched = 0;
  #answered = 0;
  #retiring = false;
  /** The worker has loaded and runs the pool's initializer. */
  #initializing = false;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;

  /** Starts the worker; throws WorkerStartError if the adapter cannot. */
  constructor(number: number, link: Omit<HostLinkOptions, "inPool">, settings: SlotSettings, owner: SlotOwner) {
    this.number = number;
    this.#settings = settings;
    this.#owner = owner;
    this.#linger = link.kind === "thread" && link.adapter.capabilities.stopsBusyThreads === false;
    this.#link = new HostLink({ ...link, inPool: true, ...(settings.setup ? { setup: settings.setup } : {}) }, {
      ready: () => this.#onReady(),
      initializing: () => this.#onInitializing(),
      results: (outcomes) => this.#onResults(outcomes),
      exited: (info, error) => this.#onExit(info, error),
      progress: (id, value, encoded) => this.#inflight.find((task) => task.id === id)?.progress(value, encoded),
    });
  }

  get pid(): number | undefined {
    return this.#link.pid;
  }

  /** Has tasks sent to it. */
  get busy(): boolean {
    return this.#inflight.length > 0;
  }

  /** Tasks sent to it whose callers still wait (the one running and those next in its pipeline). */
  get running(): number {
    let count = 0;
    for (const task of this.#inflight) if (!task.abandoned) count++;
    return count;
  }

  /** Can take tasks: not gone, not being retired. */
  /** The initializer's error, if it failed in this worker (which then never became ready). */
  get setupError(): { readonly error: unknown } | undefined {
    return this.#link.setupError;
  }

  get usable(): boolean {
    return !this.#retiring && !this.#link.gone;
  }

  get inflight(): number {
    return this.#inflight.length;
  }

  /** How many more tasks it may take with `depth` in flight at most (and its task limit). */
  room(depth: number): number {
    const limit = Math.min(depth, this.#settings.maxTasksPerWorker - this.#dispatched + this.#inflight.length);
    return limit - this.#inflight.length;
  }

  /**
   * Sends tasks, in order. If the transport refuses the batch, sends them one by one, so that
   * only a task the transport refuses fails. Returns the tasks it took.
   */
  dispatch(batch: readonly PoolTask[]): PoolTask[] {
    const wasIdle = !this.busy;
    const sent = this.#trySend(batch) ? [...batch] : batch.filter((task) => this.#trySend([task]));
    for (const task of sent) this.#inflight.push(task);
    this.#dispatched += sent.length;
    if (sent.length > 0 && wasIdle) {
      this.#clearIdleTimer();
      this.#link.setKeepAlive(true);
      this.#settings.recorder.busy(this);
      this.#headStartedAt = performance.now();
      this.#headStarted();
    }
    return sent;
  }

  #trySend(tasks: readonly PoolTask[]): boolean {
    const transfer = tasks.flatMap((task) => task.transfer ?? []);
    const message = { type: "run", tasks: tasks.map((task) => task.request) } as const;
    try {
      // One task for an idle worker: the shared-memory mailbox skips both event loops.
      const byLane = tasks.length === 1 && transfer.length === 0 && !this.busy && !tasks[0]!.request.encoded && this.#link.trySendByLane(message);
      if (!byLane) this.#link.send(message, transfer);
      else if (this.#settings.spinWaitUs > 0) {
        // Once the task is recorded as sent (the rest of dispatch), wait briefly for its answer.
        queueMicrotask(() => this.#link.spin(this.#settings.spinWaitUs));
      }
      return true;
    } catch (error) {
      if (tasks.length === 1) tasks[0]!.fail(error, "failed");
      return false;
    }
  }

  /** Gives up on a task this worker holds: the caller is answered now, the worker is told to abort. */
  abandon(task: PoolTask, error: Error, end: "failed" | "cancelled"): void {
    if (!this.#inflight.includes(task) || task.abandoned) return;
    task.abandoned = true;
    task.fail(error, end);
    try {
      this.#link.send({ type: "abort", id: task.id, reason: serializeError(error) });
    } catch {
      // The worker is already gone; its exit settles what it held.
    }
    if (this.#inflight[0] === task) this.#startGrace(task);
  }

  /** Fails every task it holds with `error` (the pool was terminated). */
  failAll(error: Error): void {
    for (const task of this.#inflight.splice(0)) if (!task.abandoned) task.fail(error, "cancelled");
  }

  /**
   * Retires the worker normally (the pool closes, it idled, it ran its task limit): it takes no
   * more tasks, runs the pool's teardown if it has one, then stops. Resolves once it is gone.
   */
  retire(): Promise<void> {
    this.#retiring = true;
    this.#clearIdleTimer();
    return this.#link.retire(this.#settings.teardownBoundMs, (failure) => {
      const error = "error" in failure ? failure.error : new TimeoutError(`The teardown did not finish within ${failure.overranMs} ms; the worker was stopped anyway.`);
      this.#settings.reportError({ source: "teardown", error, worker: this.number });
    });
  }

  /** Stops the worker now, with no teardown (terminate, a task that ignores its abort). Resolves once it is gone. */
  stop(): Promise<void> {
    this.#retiring = true;
    this.#clearIdleTimer();
    // A thread stopped while it runs a task, on a runtime that cannot stop busy threads (Deno),
    // may keep running that task's code: count it, so that the pool never hides it.
    if (this.busy && this.#linger) this.#settings.recorder.lingeringThreads++;
    return this.#link.terminate();
  }

  /** The worker has nothing to do: let the host exit while it idles, and stop it after `idleTimeout` ms. */
  idle(idleTimeout: number): void {
    this.#link.setKeepAlive(false);
    if (idleTimeout === Infinity || this.#retiring || this.#idleTimer !== undefined) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (!this.busy) void this.retire();
    }, idleTimeout);
  }

  #clearIdleTimer(): void {
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  /** The first task in the list has just started running (or the worker just became ready for it). */
  #headStarted(): void {
    const head = this.#inflight[0];
    if (!head) return;
    if (!this.#link.ready) {
      if (this.#initializing && !head.abandoned) this.#startHeadTimer(head);
      return;
    }
    if (head.abandoned) {
      this.#startGrace(head);
      return;
    }
    markFutureRunning(head.future);
    // Every caller has just set #headStartedAt to now: one clock read per task, not two.
    this.#settings.recorder.waitTimes.record(this.#headStartedAt - head.queuedAt);
    this.#startHeadTimer(head);
    this.#settings.recorder.task("running", head);
  }

  /**
   * The head task's run timeout. It starts once the worker has loaded: while the pool's
   * initializer runs, the first task's timeout already counts, so that an initializer that never
   * finishes cannot hold a task past its timeout (the worker is then stopped, as for a task that
   * overran). A timer already running goes on: the timeout covers the wait and the run.
   */
  #startHeadTimer(head: PoolTask): void {
    head.startTimer(() => {
      const waiting = !this.#link.ready;
      const name = this.#settings.setup?.initializer?.target.name ?? "?";
      const message = waiting
        ? `The task waited longer than its timeout of ${head.timeoutMs} ms for its worker's initializer "${name}" to finish; the worker is stopped and replaced.`
        : `The task ran longer than its timeout of ${head.timeoutMs} ms.`;
      this.abandon(head, new TimeoutError(message), "failed");
    });
  }

  #onInitializing(): void {
    this.#initializing = true;
    const head = this.#inflight[0];
    if (head && !head.abandoned) this.#startHeadTimer(head);
  }

  #startGrace(task: PoolTask): void {
    if (this.#graceTimer !== undefined) clearTimeout(this.#graceTimer);
    this.#graceTimer = setTimeout(() => {
      this.#graceTimer = undefined;
      if (this.#inflight[0] === task && !this.#link.gone) void this.stop();
    }, this.#settings.abortGrace);
  }

  #clearGrace(): void {
    if (this.#graceTimer !== undefined) clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
  }

  #onReady(): void {
    this.#owner.slotReady(this);
    // A task's run time starts when a worker can run it, not while the worker boots.
    if (this.busy) {
      this.#headStartedAt = performance.now();
      this.#headStarted();
    }
  }

  #onResults(outcomes: readonly TaskOutcome[]): void {
    let headChanged = false;
    for (const outcome of outcomes) {
      const index = this.#inflight.findIndex((task) => task.id === outcome.id);
      if (index < 0) continue;
      const task = this.#inflight[index]!;
      this.#inflight.splice(index, 1);
      if (index === 0) {
        const now = performance.now();
        this.#owner.slotRan(now - this.#headStartedAt);
        if (!task.abandoned) this.#settings.recorder.runTimes.record(now - this.#headStartedAt);
        this.#headStartedAt = now;
        headChanged = true;
      }
      this.#answered++;
      if (!task.abandoned) task.settle(outcome);
    }
    if (headChanged) {
      if (this.#inflight[0]?.abandoned !== true) this.#clearGrace();
      this.#headStarted();
    }
    if (!this.busy) this.#settings.recorder.idle(this);
    if (this.#answered >= this.#settings.maxTasksPerWorker) this.#retiring = true;
    if (this.#retiring && !this.busy) void this.retire();
    this.#owner.slotAnswered(this);
  }

  #onExit(info: ExitInfo, error: WorkerExitError): void {
    this.#clearGrace();
    this.#clearIdleTimer();
    this.#settings.recorder.idle(this);
    const held = this.#inflight.splice(0);
    const expected = this.#retiring;
    let unstarted = held;
    // A crash blames the task that was running — the first one — and nothing else: the others
    // never started, so they run elsewhere. A worker that never became ready ran nothing.
    if (!expected && this.#link.ready && held.length > 0) {
      const [victim, ...rest] = held;
      unstarted = rest;
      if (!victim!.abandoned) victim!.fail(error, "failed");
    }
    this.#owner.slotExited(this, info, unstarted.filter((task) => !task.abandoned && !task.settled), expected, this.#link.ready);
  }
}
