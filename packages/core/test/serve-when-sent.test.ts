/**
 * A worker whose transport writes later (WorkerSidePort.whenSent): it lets what was sent leave
 * before it runs each task, so that a task that never yields cannot hold answers back; a task
 * aborted meanwhile never runs; and a transport that always has something in flight cannot keep
 * a task from running.
 */
import { describe, expect, it } from "vitest";
import { AbortError } from "../src/errors.js";
import { deserializeError, serializeError } from "../src/codec/thrown.js";
import type { RunRequest } from "../src/protocol.js";
import { servedWorker } from "./fake-workers.js";

const flushMicrotasks = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function task(id: number, label: string): RunRequest {
  // Counts its runs on globalThis, under its own label.
  const source = `() => { const runs = (globalThis.__whenSentRuns ??= {}); runs[${JSON.stringify(label)}] = (runs[${JSON.stringify(label)}] ?? 0) + 1; return ${id}; }`;
  return { id, target: { source, name: label }, args: [], encoded: false, mode: "call", timed: true };
}

const runs = (label: string): number => ((globalThis as { __whenSentRuns?: Record<string, number> }).__whenSentRuns?.[label] ?? 0);

function worker(whenSent: () => Promise<void> | undefined) {
  const { sent, deliver } = servedWorker(whenSent);
  const answered = () =>
    sent.flatMap((message) => (message.type === "results" ? message.results.map((r) => (r.ok ? { id: r.id, ok: true } : { id: r.id, ok: false, name: (deserializeError(r.error) as Error).name })) : []));
  return { deliver, answered };
}

describe("serveWorker with a transport that writes later (whenSent)", () => {
  it("runs a task only once what was sent before it has left", async () => {
    let release!: () => void;
    let pending: Promise<void> | undefined = new Promise<void>((resolve) => (release = resolve));
    const { deliver, answered } = worker(() => pending);
    deliver({ type: "run", tasks: [task(1, "waits")] });
    await flushMicrotasks();
    expect(runs("waits")).toBe(0);
    pending = undefined;
    release();
    await flushMicrotasks();
    expect(runs("waits")).toBe(1);
    expect(answered()).toEqual([{ id: 1, ok: true }]);
  });

  it("a task aborted while the worker waits never runs, and fails with the abort", async () => {
    let release!: () => void;
    let pending: Promise<void> | undefined = new Promise<void>((resolve) => (release = resolve));
    const { deliver, answered } = worker(() => pending);
    deliver({ type: "run", tasks: [task(1, "aborted"), task(2, "after")] });
    await flushMicrotasks();
    deliver({ type: "abort", id: 1, reason: serializeError(new AbortError("stop")) });
    pending = undefined;
    release();
    await flushMicrotasks();
    expect(runs("aborted")).toBe(0);
    expect(runs("after")).toBe(1);
    expect(answered()).toEqual([
      { id: 1, ok: false, name: "AbortError" },
      { id: 2, ok: true },
    ]);
  });

  it("waits once per task: a transport always busy still gets every task run, in order", async () => {
    let asked = 0;
    const { deliver, answered } = worker(() => {
      asked++;
      return Promise.resolve();
    });
    deliver({ type: "run", tasks: [task(1, "busy-1"), task(2, "busy-2"), task(3, "busy-3")] });
    await flushMicrotasks();
    expect([runs("busy-1"), runs("busy-2"), runs("busy-3")]).toEqual([1, 1, 1]);
    expect(answered().map((a) => a.id)).toEqual([1, 2, 3]);
    expect(asked).toBe(3);
  });
});
