/**
 * The wire protocol between the caller and a worker. Messages are plain structured-clone data,
 * batched: one `run` message may carry many tasks and one `results` message many results, so
 * tiny tasks cost one message per batch rather than one per task.
 */
import type { SerializedError } from "./errors.js";
import type { ChannelReply, ChannelRequest } from "./channels/messages.js";

export type { ChannelReply, ChannelRequest };
import type { ThreadBootstrapData } from "./sync/thread-id.js";
import type { FastLaneBuffers } from "./fast-lane.js";

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
}

export type ToWorker =
  /** First message to a thread worker: its thread id for RLock ownership, from a shared counter. */
  | { readonly type: "init"; readonly thread: ThreadBootstrapData; readonly fastLane?: FastLaneBuffers }
  | ChannelReply
  | { readonly type: "run"; readonly tasks: readonly RunRequest[] }
  | { readonly type: "abort"; readonly id: number; readonly reason: SerializedError };

export type TaskOutcome =
  | { readonly id: number; readonly ok: true; readonly value: unknown; readonly encoded: boolean }
  | { readonly id: number; readonly ok: false; readonly error: SerializedError };

export type FromWorker =
  | ChannelRequest
  | { readonly type: "ready" }
  /** Sent by a worker entry just before an uncaught error ends it, so the caller can say why. */
  | { readonly type: "fatal"; readonly error: SerializedError }
  | { readonly type: "results"; readonly results: readonly TaskOutcome[] };
