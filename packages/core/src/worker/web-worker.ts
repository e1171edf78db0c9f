/**
 * A worker entry for runtimes whose workers are Web Workers (a browser's, Deno's): serves the
 * protocol from the worker's global scope with the web standard's own calls, and makes every
 * way the worker can end reach the caller exactly once.
 *
 * Web Workers differ from Node's workers in two ways this covers:
 * - an uncaught error (or unhandled rejection) does not end a Web Worker; weft's semantics are
 *   that it does, so the entry flushes the finished results, reports the error and closes;
 * - `self.close()` gives the caller no event and no code, so the entry's last message is an
 *   ExitNotice, which the endpoint (`createEndpoint` with `exitByNotice`) takes as the exit.
 */
import type { TransferableObject } from "../web-types.js";
import type { WorkerKind } from "../port.js";
import type { ExitNotice, ToWorker } from "../protocol.js";
import { serveWorkerUntilEnd } from "./end.js";
import type { ServedWorker } from "./serve.js";

/** A global scope that fires `error` and `unhandledrejection` (a Web Worker's, Deno's main one). */
export interface GlobalErrorScope {
  addEventListener(type: string, listener: (event: Event) => void): void;
}

/**
 * Routes the scope's uncaught errors and unhandled rejections to `report`, handled here so that
 * the runtime does not also deal with them its own way (Deno would print them and end the
 * process, or a worker's caller).
 */
export function catchGlobalErrors(scope: GlobalErrorScope, report: (error: unknown) => void): void {
  scope.addEventListener("error", (event) => {
    event.preventDefault();
    const error = event as ErrorEvent;
    report(error.error ?? new Error(error.message));
  });
  scope.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    report((event as PromiseRejectionEvent).reason);
  });
}

/** What the entry uses of a DedicatedWorkerGlobalScope. */
interface WebWorkerScope extends GlobalErrorScope {
  postMessage(message: unknown, transfer?: TransferableObject[]): void;
  close(): void;
  document?: unknown;
}

/** Options of {@link serveInWebWorker}. */
export interface WebWorkerEntryOptions {
  /** Replaces the runtime's own exit call besides `self.close()` (Deno.exit) with `exit`. */
  replaceRuntimeExit?(exit: (code?: number) => never): void;
  /** Names the adapter in the error thrown when the entry does not run in a dedicated worker. */
  readonly adapterName: string;
}

/** Serves weft's protocol to the caller from this Web Worker. */
export function serveInWebWorker(kind: WorkerKind, options: WebWorkerEntryOptions): ServedWorker {
  const scope = globalThis as unknown as WebWorkerScope;
  if (typeof scope.postMessage !== "function" || typeof scope.close !== "function" || scope.document !== undefined) {
    throw new Error(`${options.adapterName}'s ${kind} entry must run in a dedicated Web Worker started by the adapter.`);
  }
  const post = scope.postMessage.bind(scope);
  const close = scope.close.bind(scope);
  let closing = false;

  return serveWorkerUntilEnd(
    {
      kind,
      send: (message, transfer) => post(message, transfer?.length ? [...transfer] : []),
      onMessage: (handler) => scope.addEventListener("message", (event) => handler((event as MessageEvent).data as ToWorker)),
      // postMessage enqueues synchronously and close() lets what was posted arrive, so the
      // flushed results reach the caller before the notice.
      exit: (code) => {
        if (closing) return;
        closing = true;
        post({ type: "exit", code } satisfies ExitNotice);
        close();
      },
    },
    {
      replaceExit: (exit) => {
        scope.close = () => exit(0);
        options.replaceRuntimeExit?.((code?: number) => exit(code ?? 0));
      },
      onUncaughtError: (report) => {
        catchGlobalErrors(scope, report);
        scope.addEventListener("messageerror", () => {
          report(new Error(`A message from the caller could not be deserialized in this ${kind} worker.`));
        });
      },
    },
  );
}
