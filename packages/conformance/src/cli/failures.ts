/** Result files for runs that could not start or died midway, so the matrix and exit code show them. */
import type { CaseResult, ResultFile } from "../results.js";
import type { RunEvent } from "./events.js";

/** The name of the row that says a runtime's run itself failed. */
export const RUNNER_ROW = "the run itself: the runtime started and reported every case";

/** What a run reported before it ended, plus one failing row that says why it ended. */
export function runnerFailure(runtime: string, reason: string, reported: readonly RunEvent[] = []): ResultFile {
  const results: CaseResult[] = [];
  for (const event of reported) {
    if (event.type !== "result") continue;
    const match = /^\[[^/\]]*\/([^\]]*)\] (.*)$/.exec(event.title);
    results.push({ case: match?.[2] ?? event.title, kind: match?.[1] ?? "-", status: event.status, ms: event.ms, measures: {}, ...(event.reason ? { reason: event.reason } : {}) });
  }
  const last = [...reported].reverse().find((event) => event.type === "start" || event.type === "result");
  const during = last?.type === "start" ? ` (while running ${last.title})` : "";
  results.push({ case: RUNNER_ROW, kind: "-", status: "fail", reason: `${reason}${during}`, ms: 0, measures: {} });
  return { runtime, finishedAt: new Date().toISOString(), results };
}
