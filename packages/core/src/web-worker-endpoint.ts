/**
 * The caller's side of a Web Worker (a browser's, Deno's), written once: turns a running Worker
 * into weft's Endpoint. The worker's side is {@link serveInWebWorker} (worker/web-worker.ts).
 *
 * A Web Worker tells its caller nothing when it ends itself (`self.close()` fires no event and
 * carries no code), so the worker's last message is weft's ExitNotice, taken as its exit
 * (`createEndpoint`'s `exitByNotice`); `terminate()` reports nothing either, so the endpoint
 * reports the exit itself. The caller's `error` event covers a worker whose entry never ran or
 * that failed outside weft's handlers; `messageerror`, a message that could not be deserialized.
 */
import { type EndpointControl, createEndpoint } from "./endpoint-kit.js";
import type { Endpoint, ExitInfo, WorkerKind } from "./port.js";
import type { TransferableObject } from "./web-types.js";

/** The `error` event a Web Worker fires on its caller (an ErrorEvent; a browser may leave its fields empty). */
export interface WorkerErrorEvent extends Event {
  readonly error?: unknown;
  readonly message?: string;
}

/** What the caller's side uses of a Web Worker. */
export interface CallerSideWebWorker {
  postMessage(message: unknown, transfer?: TransferableObject[]): void;
  terminate(): void;
  addEventListener(type: "message" | "error" | "messageerror", listener: (event: Event) => void): void;
}

/** What differs between the runtimes whose workers are Web Workers. */
export interface WebWorkerEndpointOptions {
  /** A "process" shares nothing: its transfer lists are copied instead, and the core refuses shared memory. */
  readonly kind: WorkerKind;
  /** The exit `terminate()` reports (the runtime reports none of its own). */
  readonly terminatedExit: ExitInfo;
  /** The error of a worker whose `error` event reached the caller (default: the event's error, else one with its message). */
  entryError?(event: WorkerErrorEvent): unknown;
  /**
   * Whether the worker keeps the caller's process alive (Deno). Called only on a change; with
   * false once the worker is terminated, so that a worker that keeps running after terminate()
   * (busy in synchronous code) never holds the caller.
   */
  ref?(keepAlive: boolean): void;
}

/** Wraps `worker` (already running weft's Web Worker entry) into an Endpoint. */
export function webWorkerEndpoint(worker: CallerSideWebWorker, options: WebWorkerEndpointOptions): Endpoint {
  const { kind, ref } = options;
  let keepAlive = true;
  const setKeepAlive = (value: boolean) => {
    if (value === keepAlive) return;
    keepAlive = value;
    ref?.(value);
  };
  const terminate = () => {
    worker.terminate();
    setKeepAlive(false);
  };
  const control: EndpointControl = createEndpoint({
    exitByNotice: true,
    send: (message, transfer) => {
      if (kind === "thread" && transfer?.length) worker.postMessage(message, [...transfer]);
      else worker.postMessage(message);
    },
    stop: () => {
      terminate();
      control.exited(options.terminatedExit);
    },
    ...(ref ? { setKeepAlive } : {}),
  });
  const end = (error: unknown) => {
    terminate();
    control.exited({ code: 1, signal: null, error });
  };
  worker.addEventListener("message", (event) => {
    control.deliver((event as MessageEvent).data);
    // Also after the worker closed itself: what it still had queued must never run.
    if (control.gone) terminate();
  });
  worker.addEventListener("error", (event) => {
    // Keeps the runtime from also reporting it as the caller's own uncaught error (Deno would end the caller).
    event.preventDefault();
    end(options.entryError?.(event) ?? defaultEntryError(event));
  });
  // A lost message would leave its tasks waiting forever; ending the worker settles them.
  worker.addEventListener("messageerror", () => end(new Error(`A message from the ${kind} worker could not be deserialized.`)));
  return control.endpoint;
}

function defaultEntryError(event: WorkerErrorEvent): unknown {
  return event.error ?? new Error(event.message || "The worker's entry failed before it could report why.");
}
