/**
 * Knows how long Redis has been silent: a PING on the client's command connection every so
 * often, one at a time. A Redis that is down, unreachable, frozen or swamped shows up the same
 * way, as time since its last answer; the client fails its waiting tasks once that passes its
 * connect timeout, instead of letting them wait for ever.
 */
import type { Redis } from "ioredis";

export class Heartbeat {
  readonly #redis: Redis;
  readonly #timer: ReturnType<typeof setInterval>;
  #lastAnswer = performance.now();
  #inFlight = false;

  /** Pings every `everyMs` and calls `onBeat(silentForMs)` after each tick. The timer does not keep the process alive. */
  constructor(redis: Redis, everyMs: number, onBeat: (silentForMs: number) => void) {
    this.#redis = redis;
    this.#timer = setInterval(() => {
      this.#ping();
      onBeat(this.silentFor());
    }, everyMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Milliseconds since Redis last answered. */
  silentFor(): number {
    return performance.now() - this.#lastAnswer;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #ping(): void {
    if (this.#inFlight) return;
    this.#inFlight = true;
    this.#redis.ping().then(
      () => {
        this.#inFlight = false;
        this.#lastAnswer = performance.now();
      },
      () => {
        this.#inFlight = false;
      },
    );
  }
}
