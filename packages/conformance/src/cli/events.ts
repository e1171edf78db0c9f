/**
 * What a run reports while it goes, in order: the plan, each case's start and result, then the
 * whole result file. A child runtime prints them as marked JSON lines on stdout; the browser page
 * posts them to the runner's server; the local run calls back with them directly.
 */
import type { ResultFile } from "../results.js";

export type RunEvent =
  | { readonly type: "plan"; readonly runtime: string; readonly count: number }
  | { readonly type: "start"; readonly runtime: string; readonly title: string; readonly timeoutMs: number }
  | {
      readonly type: "result";
      readonly runtime: string;
      readonly title: string;
      readonly status: "pass" | "fail" | "skip";
      readonly reason?: string;
      readonly ms: number;
    }
  | { readonly type: "done"; readonly runtime: string; readonly file: ResultFile };

/** Prefix of an event line on a child's stdout; every other line is the child's own output. */
export const EVENT_MARK = "@@weft-conformance ";

export function encodeEvent(event: RunEvent): string {
  return `${EVENT_MARK}${JSON.stringify(event)}\n`;
}

/** The event on this line, or undefined for ordinary output. */
export function decodeEvent(line: string): RunEvent | undefined {
  if (!line.startsWith(EVENT_MARK)) return undefined;
  try {
    return JSON.parse(line.slice(EVENT_MARK.length)) as RunEvent;
  } catch {
    return undefined;
  }
}
