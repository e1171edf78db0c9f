/**
 * How a worker ends, for adapters' worker entries, written once: results are batched, so before
 * the worker goes — a task called the runtime's exit, or an error nobody caught — what finished
 * is sent, the error is reported, and nothing more is started or reported, so that only the task
 * that was running is answered by the exit.
 *
 * What weft does with an error nobody caught (a throwing timer, an unhandled rejection): it ends
 * the worker, as an uncaught exception ends a Node process. The task running at that moment
 * rejects with WorkerExitError (its `cause` is the error); weft cannot tell whose callback threw,
 * so keep a task's asynchronous work inside the task (await it). A worker with no task running
 * blames no task: the tasks it held but had not started go back to the queue.
 */
import type { WorkerSidePort } from "../port.js";
import { setWorkerExit } from "./exit.js";
import { type ServedWorker, reportFatalError, serveWorker } from "./serve.js";

/** The runtime-specific hooks of a worker entry. */
export interface WorkerEndHooks {
  /** Replaces the runtime's exit (process.exit, Deno.exit, self.close…) with `exit`, which a task may call. */
  replaceExit(exit: (code: number) => never): void;
  /** Calls `handler` for every error nothing caught (uncaught exception, unhandled rejection). */
  onUncaughtError(handler: (error: unknown) => void): void;
}

/**
 * Thrown out of a replaced runtime exit whose transport still has sends to finish (the real exit
 * follows as soon as they are out): the task's code after `exit()` never runs on. Not an error
 * anyone should catch; its name says what it is if someone does.
 */
export class WorkerExiting extends Error {
  constructor(readonly code: number) {
    super(`The worker is exiting with code ${code}.`);
    this.name = "WorkerExiting";
  }
}

/**
 * {@link serveWorker}, plus the worker's end: the runtime's exit first sends the results held
 * back, then ends the worker through `port.exit`; an uncaught error is sent as a fatal report
 * and ends it with code 1.
 */
export function serveWorkerUntilEnd(port: WorkerSidePort, hooks: WorkerEndHooks): ServedWorker {
  const served = serveWorker(port);
  let ending = false;
  const end = (code: number, fatal?: { error: unknown }): void => {
    if (ending) return;
    ending = true;
    served.flush();
    served.seal();
    if (fatal) reportFatalError(port, fatal.error);
    port.exit(code);
  };
  const exitWorker = (code: number): never => {
    end(toExitCode(code));
    // port.exit returned: the transport is still sending. Unwind the caller instead of returning to it.
    throw new WorkerExiting(toExitCode(code));
  };
  hooks.replaceExit(exitWorker);
  setWorkerExit(exitWorker);
  hooks.onUncaughtError((error) => {
    if (error instanceof WorkerExiting) return;
    end(1, { error });
  });
  return served;
}

function toExitCode(code: unknown): number {
  const number = Number(code ?? 0);
  return Number.isInteger(number) ? number : 1;
}

/**
 * For transports whose sends complete later (IPC): `send` counts what is in flight and `exit`
 * waits until all of it has left — exiting at once would drop it. A send that throws is not in
 * flight (the caller's containment handles it), so it never holds the exit back.
 */
export function exitAfterSends(
  sendWithCallback: (message: unknown, sent: () => void) => void,
  exit: (code: number) => void,
): { send(message: unknown): void; exit(code: number): void } {
  let unsent = 0;
  let exitCode: number | undefined;
  const done = () => {
    if (--unsent === 0 && exitCode !== undefined) exit(exitCode);
  };
  return {
    send(message) {
      unsent++;
      let settled = false;
      try {
        sendWithCallback(message, () => {
          if (settled) return;
          settled = true;
          done();
        });
      } catch (error) {
        if (!settled) {
          settled = true;
          done();
        }
        throw error;
      }
    },
    exit(code) {
      if (exitCode !== undefined) return;
      exitCode = code;
      if (unsent === 0) exit(code);
    },
  };
}
