/**
 * Whether a caller spins for a fast-lane answer (Pool's `spinWait`), chosen by what each way
 * has been costing. Spinning pays only when the worker can answer meanwhile: with a core to
 * spare it answers in microseconds, but when every core is taken the spinning caller holds the
 * CPU the worker needs, and the answer comes later than through the event loop. So the policy
 * keeps a running average of the round trip each way — spinning first, or straight to the
 * event loop — takes the cheaper one, and tries the other one answer in {@link PROBE_EVERY}, so
 * that it follows the machine as its load changes. A spin never lasts longer than half the event
 * loop's round trip (past that, it cannot win), nor than the caller asked.
 */

/** One answer in this many goes the way that has been dearer, to see whether it still is. */
export const PROBE_EVERY = 16;
/** The shortest spin worth making (µs). */
const MIN_SPIN_US = 5;
/**
 * Spinning is kept only while it is clearly cheaper (by a tenth): the two averages are noisy,
 * and a caller that spins for nothing pays twice.
 */
const PREFER_SPINNING = 0.9;
/** A spin lasts at most this share of the event loop's round trip: a miss then costs at most half a round trip more. */
const SPIN_SHARE = 0.5;
/** Weight of the newest round trip in each running average. */
const WEIGHT = 0.125;

export class SpinPolicy {
  #spinning: number | undefined;
  #waiting: number | undefined;
  #count = 0;

  constructor(readonly maxUs: number) {}

  /** Microseconds to spin for the next answer (0: go to the event loop at once). */
  budget(): number {
    const probe = ++this.#count % PROBE_EVERY === 0;
    let spin: boolean;
    if (this.#spinning === undefined) spin = true;
    else if (this.#waiting === undefined) spin = false;
    else spin = this.#spinning < PREFER_SPINNING * this.#waiting !== probe;
    if (!spin) return 0;
    return Math.min(this.maxUs, Math.max(MIN_SPIN_US, SPIN_SHARE * (this.#waiting ?? this.maxUs)));
  }

  /** An answer arrived `roundTripUs` after its task was sent; `spun` says whether the caller spun for it. */
  answered(spun: boolean, roundTripUs: number): void {
    if (spun) this.#spinning = this.#spinning === undefined ? roundTripUs : this.#spinning + WEIGHT * (roundTripUs - this.#spinning);
    else this.#waiting = this.#waiting === undefined ? roundTripUs : this.#waiting + WEIGHT * (roundTripUs - this.#waiting);
  }
}
