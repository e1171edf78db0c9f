/**
 * The wire protocol between the caller and a worker. Messages are plain structured-clone data,
 * batched: one `run` message may carry many tasks and one `results` message many results, so
 * tiny tasks cost one message per batch rather than one per task.
 */
import type { SerializedError } from "./codec/thrown.js";
import type { ChannelReply, ChannelRequest } from "./channels/messages.js";

export type { ChannelReply, ChannelRequest };
import type { ThreadBootstrapData } from "./sync/thread-id.js";

/** How a worker finds the function to run. */
export type TaskTarget =
  | { readonly module: string; readonly name: string }
  | { readonly source: string; readonly name: string };

export interface RunRequest {
  readonly id: number;
  readonly target: TaskTarget;
  readonly args: readonly unknown[];
  /** True when `args` hold encoded shared-memory handles that the worker must revive. */
  readonly encoded: boolean;
  /**
   * "call" runs `target(...args)`; "map" runs it on each item of `args[0]` and returns the
   * array of results; "starmap" does the same with each item spread as the arguments.
   */
  readonly mode: "call" | "map" | "starmap";
  /**
   * The caller times this task's run: the worker reports the results it holds before starting
   * it, so that the caller knows when it starts (results are otherwise batched).
   */
  readonly timed?: boolean;
  /** The caller listens to this task's progress: the worker sends what the task reports (otherwise it drops it). */
  readonly progress?: boolean;
}

/** First message to a thread worker: its thread id for RLock ownership, and its fast lane. */
/** The shared memory of a thread worker's fast lane (fast-lane.ts). */
export interface FastLaneBuffers {
  readonly control: SharedArrayBuffer;
}

export interface InitMessage {
  readonly type: "init";
  readonly thread: ThreadBootstrapData;
  readonly fastLane?: FastLaneBuffers;
}

/** Tasks for the worker to run one at a time, in this order, after those it already has. */
export interface RunMessage {
  readonly type: "run";
  readonly tasks: readonly RunRequest[];
}

/** The caller gave up on a task: abort its signal if it runs; never start it if it waits. */
export interface AbortMessage {
  readonly type: "abort";
  readonly id: number;
  readonly reason: SerializedError;
}

/** A function the worker runs outside any task: a pool's initializer or teardown. */
export interface HookCall {
  readonly target: TaskTarget;
  readonly args: readonly unknown[];
  /** True when `args` hold encoded values that the worker must revive. */
  readonly encoded: boolean;
}

/**
 * A pool's worker hooks, sent before any task: the worker runs `initializer` before its first
 * task and answers {@link SetupDoneMessage}; it keeps `teardown` for a {@link TeardownMessage}.
 */
export interface SetupMessage {
  readonly type: "setup";
  readonly initializer?: HookCall;
  readonly teardown?: HookCall;
}

/** The worker is being retired normally: run the teardown and answer {@link TeardownDoneMessage}. */
export interface TeardownMessage {
  readonly type: "teardown";
}

/** Every message the caller sends to a worker. */
export type ToWorker = InitMessage | SetupMessage | TeardownMessage | RunMessage | AbortMessage | ChannelReply;

export type TaskOutcome =
  | { readonly id: number; readonly ok: true; readonly value: unknown; readonly encoded: boolean }
  | { readonly id: number; readonly ok: false; readonly error: SerializedError };

/** The worker has loaded and can run tasks: a task's run time starts counting from here. */
export interface ReadyMessage {
  readonly type: "ready";
}

/** Sent by a worker just before an uncaught error ends it, so that the caller can say why. */
export interface FatalMessage {
  readonly type: "fatal";
  readonly error: SerializedError;
}

/** Outcomes of finished tasks, in the order they finished. */
export interface ResultsMessage {
  readonly type: "results";
  readonly results: readonly TaskOutcome[];
}

/** The initializer has run (its error if it failed: the worker then runs no task). */
export interface SetupDoneMessage {
  readonly type: "setup-done";
  readonly error?: SerializedError;
}

/** The teardown has run (its error if it failed). */
export interface TeardownDoneMessage {
  readonly type: "teardown-done";
  readonly error?: SerializedError;
}

/** A value a running task reported with `currentTask().progress(value)`; always before its outcome. */
export interface ProgressMessage {
  readonly type: "progress";
  readonly id: number;
  readonly value: unknown;
  /** True when `value` is an envelope that the caller must revive. */
  readonly encoded: boolean;
}

/**
 * The last message of a worker whose runtime tells the caller nothing when the worker ends
 * itself (a Web Worker's `self.close()`): the endpoint turns it into the exit report, so the
 * core never sees it. Everything the worker sent before it arrives before it.
 */
export interface ExitNotice {
  readonly type: "exit";
  readonly code: number;
}

/** Every message a worker sends to the caller. */
export type FromWorker =
  | ReadyMessage
  | FatalMessage
  | ResultsMessage
  | ProgressMessage
  | SetupDoneMessage
  | TeardownDoneMessage
  | ExitNotice
  | ChannelRequest;

/** True for the worker's {@link ExitNotice}; endpoints of runtimes without an exit event check it. */
export function isExitNotice(message: unknown): message is ExitNotice {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === "exit" && typeof (message as { code?: unknown }).code === "number";
}
