/**
 * The host's side of the protocol with one worker, shared by Pool and by Thread/Process: starts
 * the worker and sends its init, routes channel operations, keeps the worker's fatal report,
 * decodes each task's outcome inside its own guard, and turns the worker's exit into the
 * WorkerExitError its running task gets.
 */
import type { TransferableObject } from "./web-types.js";
import { ChannelHost } from "./channels/host.js";
import { WorkerExitError, WorkerStartError } from "./errors.js";
import { deserializeError, type SerializedError } from "./codec/thrown.js";
import { FastLaneCaller, createFastLaneBuffers, fastLaneAvailable } from "./fast-lane.js";
import type { Adapter, Endpoint, ExitInfo, StartOptions, WorkerKind } from "./port.js";
import type { FromWorker, SetupMessage, TaskOutcome, ToWorker } from "./protocol.js";
import { prepareThreadBootstrap } from "./sync/thread-id.js";

/** What a link reports to its owner (a pool's worker slot, or a Thread/Process). */
export interface HostLinkEvents {
  /** The worker has loaded and can run tasks. */
  ready(): void;
  /** The worker has loaded and runs the pool's initializer (only with worker hooks); ready() follows once it finished. */
  initializing?(): void;
  /** Outcomes of finished tasks, in the order they finished; decode each with decodeOutcome (outcome.ts). */
  results(outcomes: readonly TaskOutcome[]): void;
  /** The worker is gone; `error` is what the task it was running gets. */
  exited(info: ExitInfo, error: WorkerExitError): void;
  /** A running task reported a progress value (still encoded when `encoded`; decode it with reviveValue). */
  progress?(id: number, value: unknown, encoded: boolean): void;
}

/** What starting a link needs. */
export interface HostLinkOptions {
  readonly adapter: Adapter;
  readonly kind: WorkerKind;
  readonly startOptions: StartOptions;
  /** Offer the worker a fast lane (thread workers with shared memory only). */
  readonly fastLane?: boolean;
  /** The worker belongs to a pool, which replaces it when it dies (said in the WorkerExitError). */
  readonly inPool: boolean;
  /** A pool's worker hooks: the worker is ready only once its initializer has run. */
  readonly setup?: SetupMessage;
  /** A worker the caller started ahead (a spare process) to use instead of starting one. */
  readonly started?: Endpoint;
}

/** How a teardown ended, for {@link HostLink.retire}: its error, or that it overran its time. */
export type TeardownFailure = { readonly error: unknown } | { readonly overranMs: number };

export class HostLink {
  readonly endpoint: Endpoint;
  readonly #events: HostLinkEvents;
  readonly #inPool: boolean;
  readonly #lane: FastLaneCaller | undefined;
  #channels: ChannelHost | undefined;
  readonly #kind: WorkerKind;
  #fatalError: unknown;
  #ready = false;
  #gone = false;
  #keptAlive = true;
  readonly #setup: SetupMessage | undefined;
  /** The worker's initializer failed with this (the worker is being stopped). */
  #setupError: unknown;
  #setupFailed = false;
  #retirement: Promise<void> | undefined;
  #tornDown: ((failure: TeardownFailure | undefined) => void) | undefined;

  /** Starts a worker; throws WorkerStartError if the adapter cannot. */
  constructor(options: HostLinkOptions, events: HostLinkEvents) {
    this.#events = events;
    this.#inPool = options.inPool;
    this.#kind = options.kind;
    this.#setup = options.setup;
    const { adapter, kind } = options;
    try {
      this.endpoint = options.started ?? adapter.start(kind, options.startOptions);
      // A worker started ahead was let go of while it waited: it is this link's now.
      if (options.started) this.endpoint.setKeepAlive?.(true);
    } catch (error) {
      throw new WorkerStartError(`The ${adapter.runtime} adapter could not start a ${kind} worker: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (kind === "thread") {
      const buffers = options.fastLane && adapter.capabilities.sharedMemory && fastLaneAvailable() ? createFastLaneBuffers() : undefined;
      if (buffers) this.#lane = new FastLaneCaller(buffers, (message) => this.#receive(message as FromWorker));
      this.endpoint.send({ type: "init", thread: prepareThreadBootstrap(), ...(buffers ? { fastLane: buffers } : {}) });
    }
    if (this.#setup) {
      try {
        this.endpoint.send(this.#setup);
      } catch (error) {
        void this.endpoint.terminate().catch(() => undefined);
        throw new WorkerStartError(`The pool's worker hooks could not be sent to a new ${kind} worker: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    this.endpoint.onMessage((message) => this.#receive(message));
    this.endpoint.onExit((info) => this.#exit(info));
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** The initializer's error, once it failed (the worker never becomes ready, and is stopped). */
  get setupError(): { readonly error: unknown } | undefined {
    return this.#setupFailed ? { error: this.#setupError } : undefined;
  }

  get gone(): boolean {
    return this.#gone;
  }

  get pid(): number | undefined {
    return this.endpoint.pid;
  }

  /** Sends by message, first waking the worker if it is waiting on its fast lane. Throws if the transport refuses. */
  send(message: ToWorker, transfer?: readonly TransferableObject[]): void {
    this.#lane?.wake();
    this.endpoint.send(message, transfer?.length ? transfer : undefined);
  }

  /**
   * Hands one task to an idle worker through shared memory, skipping both event loops. False if
   * the worker is not waiting on its lane or the message does not fit; send it by message then.
   */
  trySendByLane(message: ToWorker): boolean {
    return this.#ready && this.#lane !== undefined && this.#lane.trySend(message);
  }

  /** Spins up to `microseconds` for the answer to a task just sent by lane (Pool's `spinWait`). */
  spin(microseconds: number): void {
    this.#lane?.spin(microseconds);
  }

  setKeepAlive(keepAlive: boolean): void {
    if (this.#keptAlive === keepAlive || this.#gone) return;
    this.#keptAlive = keepAlive;
    this.endpoint.setKeepAlive?.(keepAlive);
  }

  /** Stops the worker; resolves once its exit has been reported. Never rejects. */
  terminate(): Promise<void> {
    return this.endpoint.terminate().catch(() => undefined);
  }

  /**
   * Retires the worker normally: runs its teardown first (if the pool gave one and the worker is
   * ready), waiting at most `boundMs`, then stops it. `report` hears of a teardown that threw or
   * overran. Resolves once the worker is gone; never rejects.
   */
  retire(boundMs: number, report: (failure: TeardownFailure) => void): Promise<void> {
    // Asked again while the teardown runs: the same retirement, never a cut-short one.
    return (this.#retirement ??= this.#retireOnce(boundMs, report));
  }

  async #retireOnce(boundMs: number, report: (failure: TeardownFailure) => void): Promise<void> {
    if (this.#setup?.teardown && this.#ready && !this.#gone) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const failure = await new Promise<TeardownFailure | undefined>((resolve) => {
        this.#tornDown = resolve;
        timer = setTimeout(() => resolve({ overranMs: boundMs }), boundMs);
        try {
          this.send({ type: "teardown" });
        } catch {
          resolve(undefined);
        }
      });
      clearTimeout(timer);
      if (failure) report(failure);
    }
    return this.terminate();
  }

  #receive(message: FromWorker): void {
    if (this.#gone) return;
    switch (message.type) {
      case "ready":
        // With worker hooks, the worker is ready once its initializer has run.
        if (this.#setup) {
          this.#events.initializing?.();
          return;
        }
        this.#ready = true;
        this.#events.ready();
        return;
      case "setup-done":
        if (message.error) {
          this.#setupFailed = true;
          this.#setupError = this.#decodeError(message.error);
          void this.terminate();
          return;
        }
        this.#ready = true;
        this.#events.ready();
        return;
      case "teardown-done":
        this.#tornDown?.(message.error ? { error: this.#decodeError(message.error) } : undefined);
        return;
      case "progress":
        this.#events.progress?.(message.id, message.value, message.encoded);
        return;
      case "results":
        this.#events.results(message.results);
        return;
      case "channel":
        (this.#channels ??= new ChannelHost((reply) => this.send(reply), this.#kind)).handle(message);
        return;
      case "fatal":
        this.#fatalError = this.#decodeError(message.error);
        return;
    }
  }

  #decodeError(error: SerializedError): unknown {
    try {
      return deserializeError(error);
    } catch (failure) {
      return failure;
    }
  }

  #exit(info: ExitInfo): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#tornDown?.(undefined);
    this.#channels?.dispose();
    this.#events.exited(info, new WorkerExitError(info.code, info.signal, info.error ?? this.#fatalError, this.#inPool));
  }
}
