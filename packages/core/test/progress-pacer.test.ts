import fc from "fast-check";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { PROGRESS_BURST, PROGRESS_INTERVAL_MS, ProgressPacer } from "../src/worker/progress-pacer.js";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

test("every value of the burst, then the latest per interval; the last value always before the result (generated)", () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constant({ gap: 0 }), fc.integer({ min: 0, max: 40 }).map((gap) => ({ gap }))), { maxLength: 400 }), (steps) => {
      const sent: number[] = [];
      const pacer = new ProgressPacer((_, value) => sent.push(value as number));
      steps.forEach(({ gap }, i) => {
        vi.advanceTimersByTime(gap);
        pacer.report(1, i);
      });
      pacer.finish(1);
      // In order, no value twice, never one that was not reported.
      for (let i = 1; i < sent.length; i++) expect(sent[i]).toBeGreaterThan(sent[i - 1]!);
      expect(sent.slice(0, PROGRESS_BURST)).toEqual(steps.slice(0, PROGRESS_BURST).map((_, i) => i));
      if (steps.length > 0) expect(sent.at(-1)).toBe(steps.length - 1);
      const elapsed = steps.reduce((sum, { gap }) => sum + gap, 0);
      expect(sent.length).toBeLessThanOrEqual(PROGRESS_BURST + Math.ceil(elapsed / PROGRESS_INTERVAL_MS) + 2);
      vi.clearAllTimers();
    }),
  );
});

test("a held value leaves on its own once the interval passed, if the task yields", () => {
  const sent: number[] = [];
  const pacer = new ProgressPacer((_, value) => sent.push(value as number));
  for (let i = 0; i < PROGRESS_BURST + 5; i++) pacer.report(7, i);
  expect(sent.length).toBe(PROGRESS_BURST);
  vi.advanceTimersByTime(PROGRESS_INTERVAL_MS);
  expect(sent.at(-1)).toBe(PROGRESS_BURST + 4);
  expect(sent.length).toBe(PROGRESS_BURST + 1);
});

test("a million values from a task that never yields cost a few messages, and the worker holds one", () => {
  let sent = 0;
  let last = -1;
  const pacer = new ProgressPacer((_, value) => {
    sent++;
    last = value as number;
  });
  for (let i = 0; i < 1_000_000; i++) {
    if (i % 1000 === 0) vi.advanceTimersByTime(1);
    pacer.report(3, i);
  }
  pacer.finish(3);
  expect(last).toBe(999_999);
  expect(sent).toBeLessThanOrEqual(PROGRESS_BURST + 1000 / PROGRESS_INTERVAL_MS + 2);
});

test("after the worker ends nothing leaves", () => {
  const sent: number[] = [];
  const pacer = new ProgressPacer((_, value) => sent.push(value as number));
  for (let i = 0; i < PROGRESS_BURST + 3; i++) pacer.report(1, i);
  pacer.drop();
  vi.advanceTimersByTime(100);
  pacer.finish(1);
  expect(sent.length).toBe(PROGRESS_BURST);
});
