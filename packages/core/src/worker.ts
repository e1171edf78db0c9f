/**
 * The worker's side of the protocol: imports task modules, runs tasks one at a time in the
 * order they came, delivers aborts to the running task, and sends results back in batches.
 * Adapters call {@link serveWorker} from their worker entry with a {@link WorkerSidePort}.
 */
import { AbortError, TaskModuleLoadError, TaskReferenceError, deserializeError, serializeError } from "./errors.js";
import type { WorkerSidePort } from "./port.js";
import type { RunRequest, TaskOutcome, TaskTarget, ToWorker } from "./protocol.js";
import { prepareValue, reviveValue } from "./values.js";
import { flushChannels, installChannelClient } from "./channels/client.js";
import { installThreadBootstrap } from "./sync/thread-id.js";
import { FastLaneWorker } from "./fast-lane.js";
// Every shared type registers its reviver when its module loads; load them all here.
import "./revivers.js";

type Task = (...args: unknown[]) => unknown;

/** What a task function sees as `this`, and what {@link currentTask} returns while it runs. */
export interface TaskContext {
  /** Aborted when the caller aborts this task or its run timeout fires. */
  readonly signal: AbortSignal;
  readonly id: number;
}

const CURRENT_TASK = Symbol.for("weft.currentTask");
const FLUSH_AFTER_MS = 2;

/**
 * The context of the task running in this worker: its AbortSignal lets it clean up when the
 * caller aborts it. Call it synchronously at the start of the task (a worker runs one task at a
 * time, so it stays valid until the task settles). Also available as `this` in a `function` task.
 */
export function currentTask(): TaskContext {
  const context = (globalThis as Record<symbol, TaskContext | undefined>)[CURRENT_TASK];
  if (!context) throw new TaskReferenceError("currentTask() was called outside a weft task.");
  return context;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as PromiseLike<unknown>).then === "function";
}

/**
 * Tells the caller that an uncaught error is about to end this worker (adapters call it from
 * their runtime's uncaught-error hook); the task that was running rejects with a
 * WorkerExitError whose `cause` is this error.
 */
export function reportFatalError(port: WorkerSidePort, error: unknown): void {
  try {
    port.send({ type: "fatal", error: serializeError(error) });
  } catch {
    // The channel is gone; the exit itself still reaches the caller.
  }
}

/** What {@link serveWorker} gives back to the adapter's worker entry. */
export interface ServedWorker {
  /**
   * Sends the results held back for batching now. Adapters call it before the worker ends
   * (runtime exit, uncaught error), so that finished tasks are not blamed for the crash.
   * Returns true if something was sent.
   */
  flush(): boolean;
}

/** Runs the protocol over `port` until the host terminates the worker. */
export function serveWorker(port: WorkerSidePort): ServedWorker {
  // Lets shared-memory primitives know that blocking with Atomics.wait is allowed here.
  (globalThis as Record<symbol, unknown>)[Symbol.for("weft.inWorker")] = true;
  const modules = new Map<string, Record<string, unknown> | Promise<Record<string, unknown>>>();
  const moduleErrors = new Map<string, unknown>();
  const inline = new Map<string, Task>();
  const queue: RunRequest[] = [];
  let queueHead = 0;
  let running: { id: number; control: () => AbortController } | undefined;
  let draining = false;
  let outbox: TaskOutcome[] = [];
  let outboxSince = 0;
  let lane: FastLaneWorker | undefined;
  /** Ids of tasks that came through the fast lane: their results go back the same way when they fit. */
  const laneTasks = new Set<number>();

  const flush = (): boolean => {
    // What a task put on a channel travels before its result (and before the worker ends).
    flushChannels();
    if (outbox.length === 0) return false;
    const results = outbox;
    outbox = [];
    const message = { type: "results", results };
    if (laneTasks.size > 0) {
      const allFromLane = results.every((r) => laneTasks.has(r.id));
      for (const r of results) laneTasks.delete(r.id);
      if (allFromLane && lane?.tryReply(message)) return true;
    }
    port.send(message);
    return true;
  };

  const settle = (outcome: TaskOutcome) => {
    if (outbox.length === 0) outboxSince = performance.now();
    outbox.push(outcome);
  };

  const fail = (id: number, error: unknown) => settle({ id, ok: false, error: serializeError(error) });

  const succeed = (id: number, value: unknown) => {
    try {
      const prepared = prepareValue(value, port.kind, "the task's result");
      settle({ id, ok: true, value: prepared.value, encoded: prepared.encoded });
    } catch (error) {
      fail(id, error);
    }
  };

  const loadModule = (url: string): Record<string, unknown> | Promise<Record<string, unknown>> => {
    const known = modules.get(url);
    if (known) return known;
    const failure = moduleErrors.get(url);
    if (failure !== undefined) throw failure;
    const loading = (import(/* @vite-ignore */ url) as Promise<Record<string, unknown>>).then(
      (mod) => {
        modules.set(url, mod);
        return mod;
      },
      (cause: unknown) => {
        const error = new TaskModuleLoadError(url, cause);
        modules.delete(url);
        moduleErrors.set(url, error);
        throw error;
      },
    );
    modules.set(url, loading);
    return loading;
  };

  const pick = (mod: Record<string, unknown>, target: { module: string; name: string }): Task => {
    const fn = mod[target.name];
    if (typeof fn !== "function") {
      const exported = Object.keys(mod).filter((k) => typeof mod[k] === "function");
      throw new TaskReferenceError(
        `The task module ${target.module} has no exported function "${target.name}"` +
          (exported.length ? `; it exports: ${exported.join(", ")}.` : "; it exports no functions."),
      );
    }
    return fn as Task;
  };

  const resolve = (target: TaskTarget): Task | Promise<Task> => {
    if ("source" in target) {
      let fn = inline.get(target.source);
      if (!fn) {
        fn = new Function(`return (${target.source});`)() as Task;
        inline.set(target.source, fn);
      }
      return fn;
    }
    const mod = loadModule(target.module);
    return mod instanceof Promise ? mod.then((m) => pick(m, target)) : pick(mod, target);
  };

  const explain = (error: unknown, target: TaskTarget): unknown => {
    if ("source" in target && error instanceof ReferenceError && !("weftHint" in error)) {
      Object.assign(error, {
        weftHint: "inline functions are sent as source and closures are not carried; define what it uses inside it, or export it from a task module",
      });
      error.message += ` (inline task "${target.name}": closures are not carried to workers; define what it uses inside the function, or export it from a task module)`;
    }
    return error;
  };

  const runOne = (request: RunRequest): void | Promise<void> => {
    // AbortControllers are costly on some runtimes: make one only if the task looks at its signal
    // or an abort arrives.
    let controller: AbortController | undefined;
    const control = () => (controller ??= new AbortController());
    running = { id: request.id, control };
    const context: TaskContext = {
      get signal() {
        return control().signal;
      },
      id: request.id,
    };
    const holder = globalThis as Record<symbol, TaskContext | undefined>;
    const finish = () => {
      running = undefined;
      holder[CURRENT_TASK] = undefined;
    };
    const call = (fn: Task): unknown => {
      // Aborted while its module was loading: it never started, so it does not run at all.
      if (controller?.signal.aborted) throw controller.signal.reason;
      holder[CURRENT_TASK] = context;
      const args = request.encoded ? (reviveValue(request.args) as unknown[]) : (request.args as unknown[]);
      if (request.mode === "call") return fn.apply(context, args);
      const items = args[0] as unknown[];
      const results = new Array<unknown>(items.length);
      let anyAsync = false;
      for (let i = 0; i < items.length; i++) {
        const result = request.mode === "map" ? fn.call(context, items[i]) : fn.apply(context, items[i] as unknown[]);
        if (!anyAsync && isThenable(result)) anyAsync = true;
        results[i] = result;
      }
      return anyAsync ? Promise.all(results) : results;
    };
    try {
      const fn = resolve(request.target);
      const result = fn instanceof Promise ? fn.then(call) : call(fn);
      if (isThenable(result)) {
        flush();
        return Promise.resolve(result).then(
          (value) => { finish(); succeed(request.id, value); },
          (error: unknown) => { finish(); fail(request.id, explain(error, request.target)); },
        );
      }
      finish();
      succeed(request.id, result);
    } catch (error) {
      finish();
      fail(request.id, explain(error, request.target));
    }
  };

  const drain = async () => {
    if (draining) return;
    draining = true;
    try {
      for (;;) {
        while (queueHead < queue.length) {
          const request = queue[queueHead]!;
          queue[queueHead++] = undefined as never;
          if (request.timed) flush();
          const pending = runOne(request);
          if (pending) {
            await pending;
            // After an async task, report at once: the caller is waiting, and a later crash must
            // not be blamed on a task that already finished.
            flush();
          } else if (outbox.length > 0 && performance.now() - outboxSince >= FLUSH_AFTER_MS) {
            flush();
          }
        }
        queue.length = 0;
        queueHead = 0;
        flush();
        // Idle: wait a moment on the fast lane before going back to the event loop.
        const next = lane?.waitForTask() as { tasks: RunRequest[] } | undefined;
        if (!next) break;
        for (const task of next.tasks) {
          laneTasks.add(task.id);
          queue.push(task);
        }
      }
    } finally {
      draining = false;
      flush();
    }
  };

  const onChannelReply = installChannelClient((request) => port.send(request));

  port.onMessage((raw) => {
    const message = raw as ToWorker;
    lane?.received();
    if (message.type === "channel-reply") {
      onChannelReply(message);
    } else if (message.type === "init") {
      installThreadBootstrap(message.thread);
      if (message.fastLane) lane = new FastLaneWorker(message.fastLane);
    } else if (message.type === "run") {
      for (const task of message.tasks) queue.push(task);
      void drain();
    } else if (message.type === "abort") {
      const reason = deserializeError(message.reason);
      if (running?.id === message.id) {
        running.control().abort(reason instanceof Error ? reason : new AbortError());
        return;
      }
      for (let i = queueHead; i < queue.length; i++) {
        if (queue[i]?.id === message.id) {
          queue.splice(i, 1);
          fail(message.id, reason);
          flush();
          return;
        }
      }
    }
  });
  port.send({ type: "ready" });
  return { flush };
}
