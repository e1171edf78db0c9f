// The pool's front (TaskFront) over a tiny in-memory dispatcher that misbehaves on purpose: its
// dispatch throws, it never answers, it answers twice, it answers after a cancellation or after
// terminate, its cancel, settled, close and terminate throw. Whatever it does, and in whatever order callers
// submit, abort, cancel, time out, close and terminate, every future settles exactly once, with
// the first answer the rules give it; close() and terminate() return; the dispatcher is called
// only as its contract says.
import fc from "fast-check";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { AbortError, PoolClosedError, TimeoutError, type Future } from "../src/index.js";
import { FrontTask, TaskFront, type TaskDispatcher, type TaskEnd, type TaskObserver } from "../src/transport.js";

/** How the toy dispatcher treats one task. */
type Behaviour = "answers" | "throws" | "silent" | "twice";

class ToyTask extends FrontTask {
  constructor(readonly n: number, readonly behaviour: Behaviour, readonly cancelThrows: boolean, timeoutMs: number | undefined, signal: AbortSignal | undefined, observer: TaskObserver) {
    super({ timeoutMs, signal, callerSite: undefined }, observer);
  }
}

/** Which of the dispatcher's own calls throw. */
interface Faults {
  readonly terminateThrows: boolean;
  readonly settledThrows: boolean;
  readonly closeThrows: boolean;
}
const NO_FAULTS: Faults = { terminateThrows: false, settledThrows: false, closeThrows: false };

/** An in-memory dispatcher; `breaches` are the front's breaches of the port's contract, as it sees them. */
class ToyDispatcher implements TaskDispatcher<ToyTask> {
  readonly capacity = 2;
  readonly held = new Map<number, ToyTask>();
  readonly settledCalls = new Map<number, number>();
  readonly breaches: string[] = [];
  /** Tasks a `start` command started: no longer queued. */
  readonly started = new Set<number>();
  closed = false;
  terminated = false;
  shutdowns = 0;
  /** The front's callback for changes of `queued` outside dispatch and settling. */
  queueChanged: () => void = () => undefined;

  constructor(readonly faults: Faults, readonly pendingCount: () => number) {}

  /** Held, unsettled and not started. */
  get queued(): number {
    let queued = 0;
    for (const task of this.held.values()) if (!task.settled && !this.started.has(task.n)) queued++;
    return queued;
  }

  watchQueue(onChange: () => void): void {
    this.queueChanged = onChange;
  }

  dispatch(task: ToyTask): void {
    if (this.closed) this.breaches.push(`dispatch of ${task.n} after close`);
    if (task.settled) this.breaches.push(`dispatch of settled ${task.n}`);
    if (task.behaviour === "throws") throw new RangeError(`toy dispatch refused ${task.n}`);
    this.held.set(task.n, task);
  }

  cancel(task: ToyTask): void {
    if (task.settled) this.breaches.push(`cancel of settled ${task.n}`);
    this.held.delete(task.n);
    if (task.cancelThrows) throw new Error("toy cancel failed");
  }

  settled(task: ToyTask, _end: TaskEnd): void {
    this.settledCalls.set(task.n, (this.settledCalls.get(task.n) ?? 0) + 1);
    if (!task.settled) this.breaches.push(`settled() before ${task.n}'s future settled`);
    if (this.faults.settledThrows) throw new Error("toy settled failed");
  }

  ready(): Promise<void> {
    return this.closed ? Promise.reject(new PoolClosedError("toy closed")) : Promise.resolve();
  }

  close(): void {
    if (this.closed) this.breaches.push("close twice");
    this.closed = true;
    if (this.faults.closeThrows) throw new Error("toy close failed");
  }

  terminate(): void {
    if (!this.closed) this.breaches.push("terminate before close");
    if (this.terminated) this.breaches.push("terminate twice");
    this.terminated = true;
    if (this.faults.terminateThrows) throw new Error("toy terminate failed");
  }

  shutdown(): Promise<void> {
    if (this.pendingCount() !== 0) this.breaches.push(`shutdown with ${this.pendingCount()} pending`);
    this.shutdowns++;
    return Promise.resolve();
  }

  /** The dispatcher answers for task `n` — whatever state it is in (late answers included). */
  answer(task: ToyTask, ok: boolean): void {
    if (task.behaviour === "silent") return;
    if (ok) task.fulfil(`value ${task.n}`);
    else task.fail(new SyntaxError(`task ${task.n} failed`));
    if (task.behaviour === "twice") {
      task.fail(new Error("second answer"));
      task.fulfil("second value");
    }
  }

  /** The task starts running: its run timeout counts from now. */
  start(task: ToyTask): void {
    this.started.add(task.n);
    this.queueChanged();
    task.markRunning();
    task.startTimer(() => task.fail(new TimeoutError(`task ${task.n} timed out`)));
  }
}

type Command =
  | { readonly type: "submit"; readonly behaviour: Behaviour; readonly cancelThrows: boolean; readonly signal: boolean; readonly timeout: number | undefined }
  | { readonly type: "abort" | "cancel" | "start"; readonly at: number }
  | { readonly type: "answer"; readonly at: number; readonly ok: boolean }
  | { readonly type: "tick"; readonly ms: number }
  | { readonly type: "close" | "terminate" };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant("submit" as const), behaviour: fc.constantFrom<Behaviour>("answers", "throws", "silent", "twice"), cancelThrows: fc.boolean(), signal: fc.boolean(), timeout: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constantFrom("abort" as const, "cancel" as const, "start" as const), at: fc.nat(20) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant("answer" as const), at: fc.nat(20), ok: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("tick" as const), ms: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.constantFrom({ type: "close" as const }, { type: "terminate" as const }) },
);

/** What the rules say a submission ends with: the first event that settles it, in command order. */
type Expected = { readonly state: "fulfilled" | "rejected" | "cancelled"; readonly name: string };

interface Submission {
  readonly future: Future<unknown>;
  readonly task: ToyTask | undefined;
  readonly controller: AbortController | undefined;
  readonly timeout: number | undefined;
  startedAt: number | undefined;
  expected: Expected | undefined;
  doneCalls: number;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

test("every future of the front settles exactly once, as the first event that settles it says, whatever the dispatcher does", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(command, { maxLength: 40 }), fc.record({ terminateThrows: fc.boolean(), settledThrows: fc.boolean(), closeThrows: fc.boolean() }), async (commands, faults) => {
      let front!: TaskFront<ToyTask>;
      const dispatcher = new ToyDispatcher(faults, () => front.size);
      const ends: string[] = [];
      front = new TaskFront(dispatcher, {
        closedError: (terminated) => new PoolClosedError(terminated ? "toy terminated" : "toy closed"),
        terminatedError: () => new PoolClosedError("toy terminated before this task finished"),
        ended: (task, end) => ends.push(`${task.n}:${end}`),
      });
      const submissions: Submission[] = [];
      let clock = 0;
      let created = 0;
      const ending: Promise<void>[] = [];
      const settleAs = (s: Submission, expected: Expected) => {
        s.expected ??= expected;
      };
      const live = () => submissions.filter((s) => s.expected === undefined);
      const pick = (at: number) => (submissions.length === 0 ? undefined : submissions[at % submissions.length]);

      for (const step of commands) {
        switch (step.type) {
          case "submit": {
            const controller = step.signal ? new AbortController() : undefined;
            let task: ToyTask | undefined;
            const future = front.submit((observer) => {
              task = new ToyTask(created++, step.behaviour, step.cancelThrows, step.timeout, controller?.signal, observer);
              return task;
            });
            const s: Submission = { future, task: front.closed ? undefined : task, controller, timeout: step.timeout, startedAt: undefined, expected: undefined, doneCalls: 0 };
            future.addDoneCallback(() => s.doneCalls++);
            if (front.closed) settleAs(s, { state: "rejected", name: "PoolClosedError" });
            else if (step.behaviour === "throws") settleAs(s, { state: "rejected", name: "RangeError" });
            submissions.push(s);
            break;
          }
          case "abort":
          case "cancel": {
            const s = pick(step.at);
            if (!s) break;
            if (step.type === "abort") {
              if (!s.controller || s.controller.signal.aborted) break;
              s.controller.abort();
            } else {
              expect(s.future.cancel()).toBe(s.expected === undefined);
            }
            settleAs(s, { state: "cancelled", name: "AbortError" });
            break;
          }
          case "start": {
            const s = pick(step.at);
            if (!s?.task) break;
            dispatcher.start(s.task);
            if (s.expected === undefined && s.timeout !== undefined) s.startedAt ??= clock;
            break;
          }
          case "answer": {
            const s = pick(step.at);
            if (!s?.task) break;
            dispatcher.answer(s.task, step.ok);
            if (s.task.behaviour !== "silent") settleAs(s, step.ok ? { state: "fulfilled", name: "" } : { state: "rejected", name: "SyntaxError" });
            break;
          }
          case "tick": {
            clock += step.ms;
            vi.advanceTimersByTime(step.ms);
            for (const s of live()) if (s.startedAt !== undefined && s.startedAt + s.timeout! <= clock) settleAs(s, { state: "rejected", name: "TimeoutError" });
            break;
          }
          case "close":
            ending.push(front.close());
            break;
          case "terminate":
            ending.push(front.terminate());
            for (const s of live()) settleAs(s, { state: "cancelled", name: "PoolClosedError" });
            break;
        }
      }
      // However it went, terminate() ends it: nothing is left pending.
      ending.push(front.terminate());
      for (const s of live()) settleAs(s, { state: "cancelled", name: "PoolClosedError" });
      // Late answers after terminate change nothing.
      for (const s of submissions) if (s.task) dispatcher.answer(s.task, true);
      vi.advanceTimersByTime(1000);

      await Promise.all(ending);
      expect(dispatcher.breaches).toEqual([]);
      expect(front.size).toBe(0);
      const tasks = submissions.filter((s) => s.task);
      expect(front.completed + front.failed + front.cancelled).toBe(tasks.length);
      expect(ends.length).toBe(tasks.length);
      expect(dispatcher.shutdowns).toBeGreaterThanOrEqual(1);
      for (const s of submissions) {
        expect(s.future.done()).toBe(true);
        expect(s.doneCalls).toBe(1);
        expect(s.future.state).toBe(s.expected!.state);
        if (s.expected!.state !== "fulfilled") {
          const error = await s.future.then(() => undefined, (reason: unknown) => reason);
          expect((error as Error).name).toBe(s.expected!.name);
        }
        if (s.task) expect(dispatcher.settledCalls.get(s.task.n)).toBe(1);
      }
    }),
    { numRuns: 300 },
  );
});

test("close() waits for a task its dispatcher has not answered, and resolves once it is answered", async () => {
  let front!: TaskFront<ToyTask>;
  const dispatcher = new ToyDispatcher(NO_FAULTS, () => front.size);
  front = new TaskFront(dispatcher, { closedError: () => new PoolClosedError("closed"), terminatedError: () => new PoolClosedError("terminated") });
  let task!: ToyTask;
  const future = front.submit((observer) => (task = new ToyTask(0, "answers", false, undefined, undefined, observer)));
  let closed = false;
  const closing = front.close().then(() => (closed = true));
  await Promise.resolve();
  await Promise.resolve();
  expect(closed).toBe(false);
  expect(dispatcher.shutdowns).toBe(0);
  await expect(front.submit(() => task).asPromise()).rejects.toBeInstanceOf(PoolClosedError);
  dispatcher.answer(task, true);
  await closing;
  expect(await future).toBe("value 0");
  expect(dispatcher.shutdowns).toBe(1);
});

test("a throwing builder rejects the future with its error and makes no task", async () => {
  let front!: TaskFront<ToyTask>;
  const dispatcher = new ToyDispatcher(NO_FAULTS, () => front.size);
  front = new TaskFront(dispatcher, { closedError: () => new PoolClosedError("closed"), terminatedError: () => new PoolClosedError("terminated") });
  const future = front.submit(() => {
    throw new AbortError("refused");
  });
  await expect(future.asPromise()).rejects.toBeInstanceOf(AbortError);
  expect(front.size).toBe(0);
  expect(dispatcher.held.size).toBe(0);
});

test("back-pressure: a submission is refused with QueueFullError exactly when maxQueue tasks wait; one \"drain\" per fall; ready() waits for room", async () => {
  const flush = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  await fc.assert(
    fc.asyncProperty(fc.array(fc.oneof({ weight: 5, arbitrary: command }, { weight: 1, arbitrary: fc.constant({ type: "ready" as const }) }), { maxLength: 40 }), fc.option(fc.nat(4), { nil: undefined }), async (commands, maxQueue) => {
      let front!: TaskFront<ToyTask>;
      const dispatcher = new ToyDispatcher(NO_FAULTS, () => front.size);
      let drains = 0;
      front = new TaskFront(dispatcher, {
        closedError: () => new PoolClosedError("toy closed"),
        terminatedError: () => new PoolClosedError("toy terminated"),
        ...(maxQueue === undefined ? {} : { maxQueue }),
        drained: () => drains++,
      });
      expect(front.maxQueue).toBe(maxQueue ?? Infinity);
      // Without a finite maxQueue the mark is the dispatcher's capacity.
      const mark = maxQueue ?? dispatcher.capacity;
      const tasks: ToyTask[] = [];
      const readies: { settled: boolean; roomWhenResolved: boolean | undefined; rejected: boolean }[] = [];
      const ending: Promise<void>[] = [];
      let falls = 0;
      let above = false;
      for (const step of commands) {
        const pick = (at: number) => (tasks.length === 0 ? undefined : tasks[at % tasks.length]);
        switch (step.type) {
          case "submit": {
            const wasFull = dispatcher.queued >= (maxQueue ?? Infinity);
            let task: ToyTask | undefined;
            const future = front.submit((observer) => (task = new ToyTask(tasks.length + 1000, step.behaviour, false, undefined, undefined, observer)));
            future.then(undefined, () => undefined);
            const refusal = future.done() ? await future.then(() => undefined, (error: unknown) => (error as Error).name) : undefined;
            if (front.closed) expect(refusal).toBe("PoolClosedError");
            else if (wasFull) expect(refusal).toBe("QueueFullError");
            else {
              expect(refusal).not.toBe("QueueFullError");
              tasks.push(task!);
            }
            break;
          }
          case "abort":
          case "cancel":
            pick(step.at)?.future.cancel();
            break;
          case "start": {
            const task = pick(step.at);
            if (task && !task.settled) dispatcher.start(task);
            break;
          }
          case "answer": {
            const task = pick(step.at);
            if (task) dispatcher.answer(task, step.ok);
            break;
          }
          case "tick":
            vi.advanceTimersByTime(step.ms);
            break;
          case "ready": {
            const entry = { settled: false, roomWhenResolved: undefined as boolean | undefined, rejected: false };
            readies.push(entry);
            front.ready().then(
              () => Object.assign(entry, { settled: true, roomWhenResolved: front.hasRoom }),
              () => Object.assign(entry, { settled: true, rejected: true }),
            );
            break;
          }
          case "close":
          case "terminate":
            ending.push(front[step.type]());
            break;
        }
        await flush();
        const now = dispatcher.queued >= mark;
        if (above && !now) falls++;
        above = now;
        expect(front.needsDrain).toBe(now);
        expect(front.hasRoom).toBe(dispatcher.queued < (maxQueue ?? Infinity));
        expect(drains).toBe(falls);
        for (const entry of readies) {
          if (entry.settled && !entry.rejected) expect(entry.roomWhenResolved).toBe(true);
          // A caller of ready() waits while the queue is full, and no longer once it has room or the pool closed.
          if (!entry.settled) expect(front.hasRoom && !front.closed).toBe(false);
          if (front.closed) expect(entry.settled).toBe(true);
        }
      }
      ending.push(front.terminate());
      await Promise.all(ending);
      await flush();
      expect(readies.every((entry) => entry.settled)).toBe(true);
    }),
    { numRuns: 300 },
  );
});
