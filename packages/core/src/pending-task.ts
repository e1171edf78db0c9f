import type { Future } from "./future.js";
import type { RunRequest } from "./protocol.js";
import type { WorkerSlot } from "./worker-slot.js";

/** A task from submission to settlement, as the pool tracks it. */
export interface PendingTask {
  readonly request: RunRequest;
  readonly future: Future<unknown>;
  readonly transfer: readonly Transferable[] | undefined;
  readonly timeoutMs: number | undefined;
  readonly callerSite: Error | undefined;
  /** Removed from the queue (aborted while queued). */
  removed: boolean;
  /** The caller already got an answer (abort or timeout); the worker's late result is dropped. */
  abandoned: boolean;
  slot: WorkerSlot | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}
