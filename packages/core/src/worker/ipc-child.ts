/**
 * The entry of a process worker that talks to its parent over a Node-style IPC channel
 * (`process.send` / `process.on("message")`): what Node's and Bun's process entries share. The
 * runtime's `process` object is handed in, so the core stays free of runtime imports; the
 * adapter supplies only what differs (how a message is encoded on its IPC, and the runtime's
 * Worker that runs the watchdog).
 */
import type { FromWorker, ToWorker } from "../protocol.js";
import { exitAfterSends, serveWorkerUntilEnd } from "./end.js";
import { parentWatchdogUrl } from "./parent-watchdog.js";

/** The parts of a Node-compatible `process` an IPC child uses (Node's and Bun's have them). */
export interface IpcProcess {
  send?(message: unknown, handle: undefined, options: undefined, callback: (error: Error | null) => void): boolean;
  exit(code?: number): never;
  on(event: string, listener: (...args: never[]) => void): unknown;
  readonly ppid: number;
}

export interface IpcChildOptions {
  /** The adapter, for the error a child started without an IPC channel throws (`"@weft/node"`). */
  readonly adapterName: string;
  /** How a message is put on this runtime's IPC, and taken off (default: as it is). */
  readonly encode?: (message: FromWorker) => unknown;
  readonly decode?: (message: unknown) => ToWorker;
  /**
   * node:worker_threads' Worker, for the thread that ends this process once its parent is gone,
   * even while a task keeps the main thread busy (see parent-watchdog.ts). A watchdog that fails
   * to start does not end the worker: the "disconnect" check stays in charge.
   */
  readonly Worker: WatchdogWorkerConstructor;
}

/** node:worker_threads' Worker, as much of it as the watchdog needs. */
export type WatchdogWorkerConstructor = new (url: URL) => { unref(): void; on(event: "error", listener: () => void): unknown };

/** Serves this process as a worker over its IPC channel until its end. */
export function serveIpcChild(proc: IpcProcess, options: IpcChildOptions): void {
  if (typeof proc.send !== "function") throw new Error(`${options.adapterName}'s process entry must be started with an IPC channel.`);
  const send = proc.send.bind(proc);
  const exit = proc.exit.bind(proc);
  const encode = options.encode ?? ((message: FromWorker) => message);
  const decode = options.decode ?? ((message: unknown) => message as ToWorker);
  // IPC writes are asynchronous (and Bun's exit drops what is still queued: a burst of 1,000
  // sends followed by exit delivered as few as 266): the last results and a fatal report must
  // leave before the exit.
  const channel = exitAfterSends((message, sent) => send(encode(message as FromWorker), undefined, undefined, sent), exit);
  serveWorkerUntilEnd(
    { kind: "process", send: channel.send, onMessage: (handler) => void proc.on("message", (message: unknown) => handler(decode(message))), exit: channel.exit },
    {
      replaceExit: (end) => void ((proc as { exit: (code?: number | string | null) => never }).exit = ((code?: number | string | null) => end(Number(code ?? 0))) as never),
      onUncaughtError: (handler) => {
        proc.on("uncaughtException", handler);
        proc.on("unhandledRejection", handler);
      },
    },
  );
  // The parent is gone (closed the channel, exited or was killed): leave no orphan behind.
  proc.on("disconnect", () => exit(0));
  // …also while a task keeps this thread busy: a watchdog thread checks on the parent.
  const watchdog = new options.Worker(parentWatchdogUrl(proc.ppid));
  watchdog.unref();
  watchdog.on("error", () => undefined);
}
