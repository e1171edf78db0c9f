/**
 * Progress through the worker's whole send path (serveWorker → Outbox → ProgressPacer), on a fake
 * port: a flood sends the burst, a paced few and its last value, then the task's outcome — whether
 * the task returns or throws.
 */
import { describe, expect, it } from "vitest";
import type { RunRequest } from "../src/protocol.js";
import { PROGRESS_BURST } from "../src/worker/progress-pacer.js";
import { servedWorker } from "./fake-workers.js";

function flood(id: number, count: number, fails: boolean): RunRequest {
  const end = fails ? 'throw new RangeError("after the flood");' : 'return "done";';
  return {
    id,
    target: { source: `function () { for (let i = 0; i < ${count}; i++) this.progress(i); ${end} }`, name: "flood" },
    args: [],
    encoded: false,
    mode: "call",
    progress: true,
  };
}

describe("serveWorker paces a task's progress", () => {
  it.each([false, true])("a flood of 100,000 values: the burst, a paced few, the last value, then the outcome (the task throws: %s)", async (fails) => {
    const { sent, deliver } = servedWorker();
    deliver({ type: "run", tasks: [flood(1, 100_000, fails)] });
    await new Promise((resolve) => setTimeout(resolve, 0));
    const answers = sent.filter((message) => message.type === "progress" || message.type === "results");
    const values = answers.flatMap((message) => (message.type === "progress" ? [message.value as number] : []));
    expect(values.slice(0, PROGRESS_BURST)).toEqual(Array.from({ length: PROGRESS_BURST }, (_, i) => i));
    // The loop runs for milliseconds, so only a few paced values join the burst; unpaced, all 100,000 went.
    expect(values.length).toBeLessThan(1_000);
    expect(values.at(-1)).toBe(99_999);
    const last = answers.at(-1);
    expect(last?.type === "results" && last.results.map((outcome) => [outcome.id, outcome.ok])).toEqual([[1, !fails]]);
  });
});
