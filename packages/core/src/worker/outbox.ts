/**
 * The worker's results on their way back: batched (one message per burst of tiny tasks),
 * answered through the fast lane when every result in the batch came that way, and contained —
 * a result the transport refuses fails its own task only, and nothing leaves the outbox until a
 * send of it has succeeded.
 */
import { flushChannels } from "../channels/client.js";
import { DataCloneError, transportRefusal } from "../errors.js";
import { serializeError } from "../codec/thrown.js";
import type { FastLaneWorker } from "../fast-lane.js";
import type { FromWorker, TaskOutcome } from "../protocol.js";
import type { WorkerKind } from "../port.js";
import { prepareValue } from "../values.js";
import { ProgressPacer } from "./progress-pacer.js";

/** Results older than this (ms) are sent even while more tasks of the batch run. */
const FLUSH_AFTER_MS = 2;

export class Outbox {
  readonly #send: (message: FromWorker) => void;
  readonly #kind: WorkerKind;
  #pending: TaskOutcome[] = [];
  #oldestAt = 0;
  #lane: FastLaneWorker | undefined;
  /** Ids of tasks that came through the fast lane: their results go back the same way when they fit. */
  readonly #laneTasks = new Set<number>();
  /** Set once the worker is ending: outcomes after this are not reported (the exit speaks for them). */
  #sealed = false;
  readonly #pacer = new ProgressPacer((id, value) => this.#sendProgress(id, value as ReturnType<typeof prepareValue>));

  constructor(send: (message: FromWorker) => void, kind: WorkerKind) {
    this.#send = send;
    this.#kind = kind;
  }

  useLane(lane: FastLaneWorker): void {
    this.#lane = lane;
  }

  cameByLane(id: number): void {
    this.#laneTasks.add(id);
  }

  get size(): number {
    return this.#pending.length;
  }

  /** True when the oldest held result has waited long enough to be sent without waiting for the batch. */
  get due(): boolean {
    return this.#pending.length > 0 && performance.now() - this.#oldestAt >= FLUSH_AFTER_MS;
  }

  succeed(id: number, value: unknown): void {
    let outcome: TaskOutcome;
    try {
      const prepared = prepareValue(value, this.#kind, "the task's result");
      outcome = { id, ok: true, value: prepared.value, encoded: prepared.encoded };
    } catch (error) {
      outcome = failure(id, error);
    }
    this.#hold(outcome);
  }

  /**
   * A running task's progress value, paced (see ProgressPacer): sent after the results held so
   * far, or held as the task's latest. Throws a DataCloneError (to the task's `progress` call) if
   * the value cannot be carried. When the caller does not listen (`wanted` false), the value is
   * checked and dropped.
   */
  progress(id: number, value: unknown, wanted: boolean): void {
    const prepared = prepareValue(value, this.#kind, "the progress value");
    if (!wanted || this.#sealed) return;
    // The task's result must follow its progress on the same channel: never by the fast lane.
    this.#laneTasks.delete(id);
    this.#pacer.report(id, prepared);
  }

  #sendProgress(id: number, prepared: ReturnType<typeof prepareValue>): void {
    if (this.#sealed) return;
    this.flush();
    try {
      this.#send({ type: "progress", id, value: prepared.value, encoded: prepared.encoded });
    } catch (refused) {
      throw transportRefusal("the progress value", refused);
    }
  }

  fail(id: number, error: unknown): void {
    this.#hold(failure(id, error));
  }

  /** No more outcomes: the worker is ending, and its exit is the answer for what still runs. */
  seal(): void {
    this.#sealed = true;
    this.#pacer.drop();
  }

  /** Sends what is held now. Returns true if something was sent. */
  flush(): boolean {
    // What a task put on a channel travels before its result (and before the worker ends).
    flushChannels();
    const results = this.#pending;
    if (results.length === 0) return false;
    const message: FromWorker = { type: "results", results };
    if (this.#laneTasks.size > 0) {
      const allFromLane = results.every((r) => this.#laneTasks.has(r.id));
      for (const r of results) this.#laneTasks.delete(r.id);
      if (allFromLane && this.#lane?.tryReply(message)) {
        this.#pending = [];
        return true;
      }
    }
    try {
      this.#send(message);
    } catch {
      // One of them cannot be carried (the encoder's check cannot foresee every transport): send
      // them one by one, so that only the result the transport refuses fails, with its reason.
      for (const outcome of results) this.#sendAlone(outcome);
    }
    this.#pending = [];
    return true;
  }

  #hold(outcome: TaskOutcome): void {
    if (this.#sealed) return;
    // The task's last progress value leaves before its result.
    try {
      this.#pacer.finish(outcome.id);
    } catch {
      // The transport refused that value: the result still goes (the value had passed the check).
    }
    if (this.#pending.length === 0) this.#oldestAt = performance.now();
    this.#pending.push(outcome);
  }

  #sendAlone(outcome: TaskOutcome): void {
    try {
      this.#send({ type: "results", results: [outcome] });
    } catch (refused) {
      const error = transportRefusal(outcome.ok ? "the task's result" : "the task's error", refused);
      try {
        this.#send({ type: "results", results: [failure(outcome.id, error)] });
      } catch {
        // The channel itself is gone: the worker's exit reaches the caller and settles the task.
      }
    }
  }
}

function describe(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return "the transport refused it";
  }
}

function failure(id: number, error: unknown): TaskOutcome {
  try {
    return { id, ok: false, error: serializeError(error) };
  } catch (cause) {
    return { id, ok: false, error: serializeError(new DataCloneError("the task's error", `it cannot be described (${describe(cause)})`)) };
  }
}
