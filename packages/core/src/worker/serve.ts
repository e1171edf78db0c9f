/**
 * The worker's side of the protocol: takes tasks in the order they came and runs them one at a
 * time, delivers aborts to the running task, and hands outcomes to the outbox. Adapters call
 * {@link serveWorker} (or `serveWorkerUntilEnd`) from their worker entry with a
 * {@link WorkerSidePort}.
 */
import { AbortError } from "../errors.js";
import { deserializeError, serializeError } from "../codec/thrown.js";
import { FastLaneWorker } from "../fast-lane.js";
import type { WorkerSidePort } from "../port.js";
import type { RunRequest, ToWorker } from "../protocol.js";
import { installChannelClient } from "../channels/client.js";
import { installThreadBootstrap } from "../sync/thread-id.js";
import { type TaskContext, setCurrentTask } from "./context.js";
import { WorkerHooks } from "./hooks.js";
import { TaskResolver, explainFailure } from "./modules.js";
import { Outbox } from "./outbox.js";
import { isThenable, runTask } from "./run-task.js";
// Every shared type registers its reviver when its module loads; load them all here.
import "../revivers.js";

/** What {@link serveWorker} gives back to the adapter's worker entry. */
export interface ServedWorker {
  /**
   * Sends the results held back for batching now. Called before the worker ends (runtime exit,
   * uncaught error), so that finished tasks are not blamed for the end. True if something was sent.
   */
  flush(): boolean;
  /** The worker is ending: report no more outcomes and start no more tasks. */
  seal(): void;
}

/**
 * Tells the caller that an uncaught error is about to end this worker; the task that was running
 * rejects with a WorkerExitError whose `cause` is this error.
 */
export function reportFatalError(port: WorkerSidePort, error: unknown): void {
  try {
    port.send({ type: "fatal", error: serializeError(error) });
  } catch {
    // The channel is gone, or the error cannot be described: the exit itself still reaches the caller.
  }
}

/** The running task, as the abort path needs it. */
interface Running {
  readonly id: number;
  control(): AbortController;
}

/** Runs the protocol over `port` until the host terminates the worker. */
export function serveWorker(port: WorkerSidePort): ServedWorker {
  // Lets shared-memory primitives know that blocking with Atomics.wait is allowed here.
  (globalThis as Record<symbol, unknown>)[Symbol.for("weft.inWorker")] = true;
  const resolver = new TaskResolver();
  const outbox = new Outbox((message) => port.send(message), port.kind);
  const queue: RunRequest[] = [];
  let queueHead = 0;
  let running: Running | undefined;
  let draining = false;
  let sealed = false;
  /** The task the loop last waited for the transport before (see WorkerSidePort.whenSent). */
  let waitedFor: RunRequest | undefined;
  let lane: FastLaneWorker | undefined;
  const hooks = new WorkerHooks(resolver, (message) => {
    try {
      port.send(message);
    } catch {
      // The channel is gone: the worker's exit reaches the caller instead.
    }
  });

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
      progress(value: unknown) {
        // After the task settled, or for a caller that does not listen, a value goes nowhere.
        if (running?.id !== request.id || sealed) return;
        outbox.progress(request.id, value, request.progress === true);
      },
    };
    const finish = () => {
      running = undefined;
      setCurrentTask(undefined);
    };
    const call = (fn: (...args: unknown[]) => unknown): unknown => {
      // Aborted while its module was loading: it never started, so it does not run at all.
      if (controller?.signal.aborted) throw controller.signal.reason;
      setCurrentTask(context);
      return runTask(fn, request, context);
    };
    const failed = (error: unknown) => {
      finish();
      outbox.fail(request.id, explainFailure(error, request.target));
    };
    try {
      const fn = resolver.resolve(request.target);
      const result = fn instanceof Promise ? fn.then(call) : call(fn);
      if (isThenable(result)) {
        outbox.flush();
        return Promise.resolve(result).then((value) => {
          finish();
          outbox.succeed(request.id, value);
        }, failed);
      }
      finish();
      outbox.succeed(request.id, result);
    } catch (error) {
      failed(error);
    }
  };

  const drain = async () => {
    if (draining) return;
    draining = true;
    try {
      // An initializer runs before the first task; if it failed, no task runs here (the caller replaces the worker).
      if (hooks.gated && !(await hooks.started)) return;
      for (;;) {
        while (queueHead < queue.length && !sealed) {
          const head = queue[queueHead]!;
          if (head.timed) outbox.flush();
          // What was sent leaves before a task that may never yield runs. The task stays queued
          // meanwhile, where an abort still finds it; then the loop looks again. Once per task:
          // a worker whose background work keeps sending must still run it.
          if (waitedFor !== head) {
            const sending = port.whenSent?.();
            if (sending) {
              waitedFor = head;
              await sending;
              continue;
            }
          }
          queue[queueHead++] = undefined as never;
          const pending = runOne(head);
          if (pending) {
            await pending;
            // After an async task, report at once: the caller is waiting, and a later crash must
            // not be blamed on a task that already finished.
            outbox.flush();
          } else if (outbox.due) {
            outbox.flush();
          }
        }
        queue.length = 0;
        queueHead = 0;
        if (sealed) return;
        // Idle: wait a moment on the fast lane before going back to the event loop — announced
        // before the last results leave, so that the caller's next task finds the lane open.
        lane?.announceWaiting();
        outbox.flush();
        const next = lane?.waitForTask() as { tasks: RunRequest[] } | undefined;
        if (!next) break;
        for (const task of next.tasks) {
          outbox.cameByLane(task.id);
          queue.push(task);
        }
      }
    } finally {
      draining = false;
      if (!sealed) outbox.flush();
    }
  };

  const abort = (id: number, reason: unknown) => {
    if (running?.id === id) {
      running.control().abort(reason instanceof Error ? reason : new AbortError());
      return;
    }
    for (let i = queueHead; i < queue.length; i++) {
      if (queue[i]?.id === id) {
        queue.splice(i, 1);
        outbox.fail(id, reason);
        outbox.flush();
        return;
      }
    }
  };

  const onChannelReply = installChannelClient((request) => port.send(request), port.kind, port.channelBatch);

  port.onMessage((message: ToWorker) => {
    lane?.received();
    switch (message.type) {
      case "channel-reply":
        onChannelReply(message);
        break;
      case "init":
        installThreadBootstrap(message.thread);
        if (message.fastLane) {
          lane = new FastLaneWorker(message.fastLane);
          outbox.useLane(lane);
        }
        break;
      case "setup":
        hooks.setup(message);
        break;
      case "teardown":
        hooks.teardown();
        break;
      case "run":
        for (const task of message.tasks) queue.push(task);
        void drain();
        break;
      case "abort":
        abort(message.id, deserializeError(message.reason));
        break;
    }
  });
  port.send({ type: "ready" });
  return {
    flush: () => outbox.flush(),
    seal: () => {
      sealed = true;
      outbox.seal();
    },
  };
}
