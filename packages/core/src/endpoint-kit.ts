/**
 * The host-side bookkeeping every adapter's endpoint needs, written once: the exit reported
 * exactly once (and replayed to a late handler), no message after the exit, messages that arrive
 * before a handler is registered kept in order, sends refused once the worker is gone, and
 * terminate's escalation (stop → grace period → kill). An adapter supplies only what its
 * runtime does differently.
 */
import type { TransferableObject } from "./web-types.js";
import type { Adapter, Endpoint, ExitInfo, StartOptions, WorkerKind } from "./port.js";
import { type FromWorker, type ToWorker, isExitNotice } from "./protocol.js";

/** How long a process may take to honour SIGTERM before it is killed. */
export const KILL_AFTER_MS = 2000;

/** What an adapter supplies: its runtime's way to send, stop and (for processes) kill. */
export interface EndpointParts {
  /** Hands one message to the transport; throws if the transport refuses it. */
  send(message: ToWorker, transfer?: readonly TransferableObject[]): void;
  /**
   * Asks the worker to stop (worker.terminate(), SIGTERM). Called at most once, while the worker
   * runs. A runtime that reports no exit of its own after it calls `control.exited` itself.
   */
  stop(): void;
  /** Kills a worker that did not stop within {@link KILL_AFTER_MS} (SIGKILL). */
  kill?(): void;
  setKeepAlive?(keepAlive: boolean): void;
  readonly pid?: number;
  /**
   * The runtime tells the caller nothing when the worker ends itself (Web Workers): the worker's
   * last message is an ExitNotice, taken here as its exit report.
   */
  readonly exitByNotice?: boolean;
}

/** The adapter's handle on an endpoint built by {@link createEndpoint}. */
export interface EndpointControl {
  readonly endpoint: Endpoint;
  /** Delivers one message from the worker, in order. Ignored after the exit. */
  deliver(message: unknown): void;
  /** Reports the worker's end; only the first report counts. */
  exited(info: ExitInfo): void;
  /** True once the exit was reported. */
  readonly gone: boolean;
}

/** Builds an {@link Endpoint} that keeps the port's contract around the adapter's `parts`. */
export function createEndpoint(parts: EndpointParts): EndpointControl {
  let messageHandler: ((message: FromWorker) => void) | undefined;
  let early: unknown[] | undefined;
  let exitHandler: ((info: ExitInfo) => void) | undefined;
  let exitInfo: ExitInfo | undefined;
  let stopping = false;
  let resolveExited!: () => void;
  const exitedPromise = new Promise<void>((resolve) => (resolveExited = resolve));

  const exited = (info: ExitInfo): void => {
    if (exitInfo) return;
    exitInfo = info;
    early = undefined;
    exitHandler?.(info);
    resolveExited();
  };

  const deliver = (message: unknown): void => {
    if (exitInfo) return;
    if (parts.exitByNotice && isExitNotice(message)) {
      exited({ code: message.code, signal: null });
      return;
    }
    if (messageHandler) messageHandler(message as FromWorker);
    else (early ??= []).push(message);
  };

  const endpoint: Endpoint = {
    ...(parts.pid === undefined ? {} : { pid: parts.pid }),
    send(message, transfer) {
      if (exitInfo) throw new Error("The worker has already exited.");
      parts.send(message, transfer);
    },
    onMessage(handler) {
      messageHandler = handler;
      const waiting = early;
      early = undefined;
      if (waiting) for (const message of waiting) handler(message as FromWorker);
    },
    onExit(handler) {
      exitHandler = handler;
      if (exitInfo) handler(exitInfo);
    },
    async terminate() {
      if (exitInfo) return;
      if (!stopping) {
        stopping = true;
        parts.stop();
      }
      if (exitInfo) return;
      const kill = parts.kill;
      const timer = kill ? setTimeout(() => exitInfo || kill(), KILL_AFTER_MS) : undefined;
      await exitedPromise;
      clearTimeout(timer);
    },
    ...(parts.setKeepAlive ? { setKeepAlive: (keepAlive: boolean) => exitInfo || parts.setKeepAlive!(keepAlive) } : {}),
  };
  return {
    endpoint,
    deliver,
    exited,
    get gone() {
      return exitInfo !== undefined;
    },
  };
}

/** An adapter as its runtime describes it: its facts and one starter per kind. */
export interface AdapterParts {
  readonly runtime: Adapter["runtime"];
  readonly capabilities: Adapter["capabilities"];
  cpuCount(): number;
  startThread(options: StartOptions): Endpoint;
  startProcess(options: StartOptions): Endpoint;
}

/** Builds the port's {@link Adapter} from an adapter's parts. */
export function defineAdapter(parts: AdapterParts): Adapter {
  return {
    runtime: parts.runtime,
    capabilities: parts.capabilities,
    cpuCount: () => parts.cpuCount(),
    start: (kind: WorkerKind, options: StartOptions) => (kind === "thread" ? parts.startThread(options) : parts.startProcess(options)),
  };
}

/** What a server runtime (Node, Deno, Bun) offers: shared memory, blocking waits, OS processes with exit codes. */
export const SERVER_RUNTIME_CAPABILITIES = {
  sharedMemory: true,
  blockingWaitOnMain: true,
  processExitCodes: true,
  osProcesses: true,
} as const;
