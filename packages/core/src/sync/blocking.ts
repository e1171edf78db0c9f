/**
 * Where blocking is allowed. weft's rule: never block a main thread (nor a browser page); only a
 * weft worker, whose bootstrap sets `globalThis[Symbol.for("weft.inWorker")] = true`, may block
 * with Atomics.wait.
 */
import { BlockingNotAllowedError } from "./errors.js";

const IN_WORKER = Symbol.for("weft.inWorker");

/** True inside a weft worker (the bootstrap's flag), where the `*Sync` methods may block. */
export function mayBlock(): boolean {
  return (globalThis as Record<symbol, unknown>)[IN_WORKER] === true;
}

/** Throws BlockingNotAllowedError for `method` unless this thread may block. */
export function assertMayBlock(method: string, asyncForm: string): void {
  if ((globalThis as Record<symbol, unknown>)[IN_WORKER] === true) return;
  throw new BlockingNotAllowedError(
    `${method} blocks the calling thread, and weft never blocks a main thread or a browser page. ` +
      `Use the async form (${asyncForm}) here; the *Sync methods are for code running inside a weft worker thread.`,
  );
}
