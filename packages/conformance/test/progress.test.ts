/** The progress bar over several runtimes, on a terminal and in a log (no terminal). */
import fc from "fast-check";
import { expect, test } from "vitest";
import type { RunEvent } from "../src/cli/events.js";
import { Progress } from "../src/cli/progress.js";

/** Runs the events of runtimes with these case counts through a Progress; returns what it wrote. */
function render(counts: readonly number[], isTTY: boolean): string {
  let written = "";
  const runtimes = counts.map((_, i) => `rt${i}`);
  const progress = new Progress(true, runtimes, { write: (text: string) => (written += text), isTTY, columns: 200 });
  counts.forEach((count, i) => {
    const runtime = runtimes[i]!;
    const events: RunEvent[] = [{ type: "plan", runtime, count }];
    for (let n = 0; n < count; n++) {
      events.push({ type: "start", runtime, title: `[${runtime}/thread] case ${n}`, timeoutMs: 1000 });
      events.push({ type: "result", runtime, title: `[${runtime}/thread] case ${n}`, status: "pass", ms: 1 });
    }
    for (const event of events) progress.update(event);
  });
  progress.end();
  return written;
}

test("without a terminal, every runtime's progress is printed, each to its own 100%", () => {
  const log = render([20, 10, 5], false).trim().split("\n");
  for (const [i, count] of [20, 10, 5].entries()) {
    expect(log).toContain(`progress: rt${i} 0/${count} cases (runtime ${i + 1} of 3), 0%`);
    expect(log).toContain(`progress: rt${i} ${count}/${count} cases (runtime ${i + 1} of 3), 100%`);
  }
});

test("on a terminal, the bar's total is the running runtime's plan and never jumps within it", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }), (counts) => {
      const frames = render(counts, true).split("\r\x1b[2K").filter((frame) => frame.startsWith("["));
      const totals = new Map<string, Set<number>>();
      for (const frame of frames) {
        const [, runtime, total] = /\] (rt\d+) \d+\/(\d+) cases/.exec(frame)!;
        totals.set(runtime!, (totals.get(runtime!) ?? new Set()).add(Number(total)));
      }
      counts.forEach((count, i) => expect([...totals.get(`rt${i}`)!]).toEqual([count]));
    }),
  );
});
