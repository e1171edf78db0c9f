/**
 * A histogram of durations in constant memory, for a pool's run and wait times (piscina reports
 * the same two). Samples fall into logarithmic buckets, each 1/8 of a doubling wide, so a
 * percentile is exact to within about 9% however long the pool lives; count, min, max, mean and
 * standard deviation are exact.
 */

/** A summary of recorded durations, in milliseconds (all 0 when nothing was recorded). */
export interface DurationSummary {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stddev: number;
  /** Median. */
  readonly p50: number;
  readonly p75: number;
  readonly p90: number;
  readonly p99: number;
}

/** Buckets per doubling of the duration. */
const STEPS_PER_DOUBLING = 8;
/** The smallest bucket's upper bound (ms): 1 µs. Shorter samples share that bucket. */
const SMALLEST_MS = 0.001;
/** 1 µs × 2^40 ≈ 12.7 days: longer samples share the last bucket. */
const BUCKETS = 40 * STEPS_PER_DOUBLING + 1;

export class DurationHistogram {
  #buckets = new Float64Array(BUCKETS);
  #count = 0;
  #min = Infinity;
  #max = 0;
  #mean = 0;
  /** Sum of squared distances from the mean (Welford), for the standard deviation. */
  #squares = 0;

  record(ms: number): void {
    if (!(ms >= 0)) return;
    this.#buckets[bucketOf(ms)]!++;
    this.#count++;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
    const delta = ms - this.#mean;
    this.#mean += delta / this.#count;
    this.#squares += delta * (ms - this.#mean);
  }

  reset(): void {
    this.#buckets.fill(0);
    this.#count = 0;
    this.#min = Infinity;
    this.#max = 0;
    this.#mean = 0;
    this.#squares = 0;
  }

  summary(): DurationSummary {
    if (this.#count === 0) return { count: 0, min: 0, max: 0, mean: 0, stddev: 0, p50: 0, p75: 0, p90: 0, p99: 0 };
    return {
      count: this.#count,
      min: this.#min,
      max: this.#max,
      mean: this.#mean,
      stddev: Math.sqrt(this.#squares / this.#count),
      p50: this.#percentile(0.5),
      p75: this.#percentile(0.75),
      p90: this.#percentile(0.9),
      p99: this.#percentile(0.99),
    };
  }

  /** The upper bound of the bucket holding the sample of rank ⌈q·count⌉, kept within [min, max]. */
  #percentile(q: number): number {
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let index = 0; index < BUCKETS; index++) {
      seen += this.#buckets[index]!;
      if (seen >= rank) return Math.min(this.#max, Math.max(this.#min, upperBoundOf(index)));
    }
    return this.#max;
  }
}

function bucketOf(ms: number): number {
  if (ms <= SMALLEST_MS) return 0;
  const index = Math.ceil(Math.log2(ms / SMALLEST_MS) * STEPS_PER_DOUBLING);
  return Math.min(BUCKETS - 1, index);
}

function upperBoundOf(index: number): number {
  return SMALLEST_MS * 2 ** (index / STEPS_PER_DOUBLING);
}
