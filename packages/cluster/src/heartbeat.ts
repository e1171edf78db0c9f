/**
 * Knows how long Redis has been silent: a command on the client's command connection every so
 * often, one at a time (the renewal of the client's lease). A Redis that is down, unreachable, frozen or swamped shows up the same
 * way, as time waiting for an answer; the client fails its waiting tasks once that passes its
 * connect timeout, instead of letting them wait for ever.
 *
 * Only time this process was running counts: a client that was itself stopped or blocked (a
 * SIGSTOP, a long synchronous computation, a laptop asleep) finds its answer waiting in the
 * socket when it resumes, and must not blame Redis for its own pause.
 */
export class Heartbeat {
  readonly #beat: () => Promise<unknown>;
  readonly #everyMs: number;
  readonly #timer: ReturnType<typeof setInterval>;
  #lastTick = performance.now();
  /** Time without an answer, counting each tick at most twice the period. */
  #silent = 0;
  #answered = false;
  #inFlight = false;

  /** Sends `beat()` every `everyMs` and calls `onBeat(silentForMs)` after each tick. The timer does not keep the process alive. */
  constructor(beat: () => Promise<unknown>, everyMs: number, onBeat: (silentForMs: number) => void) {
    this.#beat = beat;
    this.#everyMs = everyMs;
    this.#ping();
    this.#timer = setInterval(() => {
      this.#tick();
      onBeat(this.#silent);
    }, everyMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #tick(): void {
    const now = performance.now();
    const elapsed = Math.min(now - this.#lastTick, 2 * this.#everyMs);
    this.#lastTick = now;
    this.#silent = this.#answered ? 0 : this.#silent + elapsed;
    this.#answered = false;
    this.#ping();
  }

  #ping(): void {
    if (this.#inFlight) return;
    this.#inFlight = true;
    this.#beat().then(
      () => {
        this.#inFlight = false;
        this.#answered = true;
      },
      () => {
        // Refused (the connection is down): still silent; the next tick asks again.
        this.#inFlight = false;
      },
    );
  }
}
