/**
 * `exit(code)`: ends the worker a task runs in, the same way on every runtime and kind — a task
 * module that calls it needs neither `process.exit`, `Deno.exit` nor `self.close()`.
 */
import { InvalidArgumentError, InvalidStateError } from "../errors.js";

const EXIT_WORKER = Symbol.for("weft.exitWorker");
const holder = globalThis as Record<symbol, ((code: number) => never) | undefined>;

/**
 * Ends the worker this task runs in with `code` (default 0), as `process.exit` ends a Node
 * process: what finished before is delivered, the calling task rejects with WorkerExitError
 * (carrying the code), and the code after the call never runs. A pool replaces the worker; a
 * Thread/Process ends with `exitCode` set to `code`. Python's `sys.exit()` in a worker.
 *
 * @throws InvalidStateError outside a weft worker (on the main thread, use the runtime's exit).
 * @throws InvalidArgumentError if `code` is not a whole number.
 */
export function exit(code = 0): never {
  if (!Number.isInteger(code)) throw new InvalidArgumentError(`exit(code): the code must be a whole number; got ${String(code)}.`);
  const exitWorker = holder[EXIT_WORKER];
  if (!exitWorker) {
    throw new InvalidStateError("exit() ends the weft worker it is called in, and this code does not run in one. On the main thread, use your runtime's own exit call.");
  }
  return exitWorker(code);
}

/** @internal The worker entry installs how this worker ends. */
export function setWorkerExit(exitWorker: (code: number) => never): void {
  holder[EXIT_WORKER] = exitWorker;
}
