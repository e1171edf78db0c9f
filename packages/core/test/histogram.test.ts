import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { DurationHistogram } from "../src/pool/histogram.js";

function exactPercentile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

describe("DurationHistogram", () => {
  test("empty: every figure is 0", () => {
    expect(new DurationHistogram().summary()).toEqual({ count: 0, min: 0, max: 0, mean: 0, stddev: 0, p50: 0, p75: 0, p90: 0, p99: 0 });
  });

  test("count, min, max, mean and stddev are exact; percentiles within one bucket (≤ 9%) of the exact ones", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.002, max: 1e7, noNaN: true }), { minLength: 1, maxLength: 300 }), (samples) => {
        const histogram = new DurationHistogram();
        for (const sample of samples) histogram.record(sample);
        const summary = histogram.summary();
        const sorted = [...samples].sort((a, b) => a - b);
        const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
        const stddev = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length);
        expect(summary.count).toBe(samples.length);
        expect(summary.min).toBe(sorted[0]);
        expect(summary.max).toBe(sorted.at(-1));
        expect(summary.mean).toBeCloseTo(mean, 6 - Math.ceil(Math.log10(mean + 1)));
        expect(Math.abs(summary.stddev - stddev)).toBeLessThanOrEqual(1e-6 * Math.max(1, mean));
        for (const [q, key] of [[0.5, "p50"], [0.75, "p75"], [0.9, "p90"], [0.99, "p99"]] as const) {
          const exact = exactPercentile(sorted, q);
          expect(summary[key]).toBeGreaterThanOrEqual(exact * 0.999);
          expect(summary[key]).toBeLessThanOrEqual(exact * 1.091);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("negative and NaN samples are ignored; reset forgets", () => {
    const histogram = new DurationHistogram();
    histogram.record(-1);
    histogram.record(Number.NaN);
    expect(histogram.summary().count).toBe(0);
    histogram.record(5);
    expect(histogram.summary().p50).toBe(5);
    histogram.reset();
    expect(histogram.summary().count).toBe(0);
  });
});
