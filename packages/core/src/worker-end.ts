/**
 * How a worker ends, for adapters' worker entries: results are batched, so before the worker
 * goes — the task called the runtime's exit, or an error nobody caught — what finished must be
 * sent, and the error reported, so that only the task that was running is blamed.
 */
import type { WorkerSidePort } from "./port.js";
import { type ServedWorker, reportFatalError, serveWorker } from "./worker.js";

/** The runtime-specific hooks of a worker entry. */
export interface WorkerEndHooks {
  /** Replaces the runtime's exit (process.exit, Deno.exit…) with `exit`, which a task may call. */
  replaceExit(exit: (code: number) => void): void;
  /** Calls `handler` for every error nothing caught (uncaught exception, unhandled rejection). */
  onUncaughtError(handler: (error: unknown) => void): void;
}

/**
 * {@link serveWorker}, plus the worker's end: the runtime's exit first sends the results held
 * back, then ends the worker through `port.exit`; an uncaught error is sent as a fatal report
 * and ends it with code 1.
 */
export function serveWorkerUntilEnd(port: WorkerSidePort, hooks: WorkerEndHooks): ServedWorker {
  const served = serveWorker(port);
  hooks.replaceExit((code) => {
    served.flush();
    port.exit(code);
  });
  hooks.onUncaughtError((error) => {
    served.flush();
    reportFatalError(port, error);
    port.exit(1);
  });
  return served;
}

/**
 * For transports whose sends complete later (IPC): `send` counts what is in flight and `exit`
 * waits until all of it has left — exiting at once would drop it.
 */
export function exitAfterSends(
  sendWithCallback: (message: unknown, sent: () => void) => void,
  exit: (code: number) => void,
): { send(message: unknown): void; exit(code: number): void } {
  let unsent = 0;
  let exitCode: number | undefined;
  return {
    send(message) {
      unsent++;
      sendWithCallback(message, () => {
        if (--unsent === 0 && exitCode !== undefined) exit(exitCode);
      });
    },
    exit(code) {
      exitCode = code;
      if (unsent === 0) exit(code);
    },
  };
}
