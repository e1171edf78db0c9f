/**
 * A finished task's outcome as its caller sees it: the value or the error the worker sent,
 * decoded on the caller's side. Shared by a pool's tasks and by Thread/Process.
 */
import { DataCloneError } from "./errors.js";
import { deserializeError } from "./codec/thrown.js";
import type { TaskOutcome } from "./protocol.js";
import { reviveValue } from "./values.js";

/** A task's outcome as the caller sees it. */
export type DecodedOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * Decodes one outcome. Never throws: a value that cannot be decoded fails its own task with a
 * DataCloneError that says why, whatever else the batch carried.
 */
export function decodeOutcome(outcome: TaskOutcome, callerStack: string | undefined): DecodedOutcome {
  try {
    if (outcome.ok) return { ok: true, value: outcome.encoded ? reviveValue(outcome.value) : outcome.value };
    return { ok: false, error: deserializeError(outcome.error, callerStack) };
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : "it could not be decoded";
    return { ok: false, error: new DataCloneError(outcome.ok ? "the task's result" : "the task's error", `it could not be decoded on the caller's side (${reason})`) };
  }
}

