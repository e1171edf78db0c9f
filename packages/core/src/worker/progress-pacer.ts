/**
 * How a task's progress values leave its worker: every one of the first {@link PROGRESS_BURST},
 * then at most one per {@link PROGRESS_INTERVAL_MS} — the latest, as a progress bar needs; the
 * values in between are dropped. The worker holds at most one unsent value per task, and the last
 * value a task reported always leaves before its result. So a task that reports a million values
 * costs the caller a few hundred messages, and neither side's memory grows with the flood.
 */

/** Values of a task sent as they come, before pacing starts. */
export const PROGRESS_BURST = 100;
/** After the burst, at most one value per this many milliseconds (about a display frame). */
export const PROGRESS_INTERVAL_MS = 16;

interface TaskPace {
  sent: number;
  lastAt: number;
  /** The latest value not yet sent (already checked and prepared). */
  held: { readonly value: unknown } | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class ProgressPacer {
  readonly #send: (id: number, value: unknown) => void;
  readonly #tasks = new Map<number, TaskPace>();

  /** `send` carries one prepared value of task `id` to the caller. */
  constructor(send: (id: number, value: unknown) => void) {
    this.#send = send;
  }

  /** A value the task reported, already checked: sent now, or held as the latest. */
  report(id: number, value: unknown): void {
    let pace = this.#tasks.get(id);
    if (!pace) this.#tasks.set(id, (pace = { sent: 0, lastAt: 0, held: undefined, timer: undefined }));
    const now = performance.now();
    if (pace.sent < PROGRESS_BURST || now - pace.lastAt >= PROGRESS_INTERVAL_MS) {
      pace.held = undefined;
      this.#out(id, pace, value, now);
      return;
    }
    pace.held = { value };
    // A task that yields gets its latest value out on time; one that does not, at its next report or its result.
    pace.timer ??= setTimeout(() => {
      pace.timer = undefined;
      try {
        this.#release(id, pace);
      } catch {
        // The transport refused a value that passed the check: nobody is left to tell; the next value or the result goes on.
      }
    }, PROGRESS_INTERVAL_MS - (now - pace.lastAt));
  }

  /** The task's result is next: its held value leaves first, and the task is forgotten. */
  finish(id: number): void {
    const pace = this.#tasks.get(id);
    if (!pace) return;
    this.#tasks.delete(id);
    if (pace.timer !== undefined) clearTimeout(pace.timer);
    this.#release(id, pace);
  }

  /** The worker is ending: nothing more leaves. */
  drop(): void {
    for (const pace of this.#tasks.values()) if (pace.timer !== undefined) clearTimeout(pace.timer);
    this.#tasks.clear();
  }

  #release(id: number, pace: TaskPace): void {
    const held = pace.held;
    pace.held = undefined;
    if (held) this.#out(id, pace, held.value, performance.now());
  }

  #out(id: number, pace: TaskPace, value: unknown, now: number): void {
    pace.sent++;
    pace.lastAt = now;
    this.#send(id, value);
  }
}
