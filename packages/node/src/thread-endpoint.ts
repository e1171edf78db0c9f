import { Worker } from "node:worker_threads";
import type { Endpoint, ExitInfo, StartOptions } from "@weftjs/core";

const ENTRY = new URL("./thread-entry.js", import.meta.url);

/** A worker_threads Worker running weft's thread entry. */
export function startThread(options: StartOptions): Endpoint {
  const maxHeapMb = options.resourceLimits?.maxHeapMb;
  const worker = new Worker(ENTRY, {
    name: options.name,
    env: options.env ? { ...process.env, ...options.env } : undefined,
    resourceLimits: maxHeapMb ? { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: Math.min(16, maxHeapMb) } : undefined,
    stdout: false,
    stderr: false,
  });
  let uncaught: unknown;
  let exitHandler: ((info: ExitInfo) => void) | undefined;
  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<void>((resolve) => {
    worker.on("error", (error) => {
      uncaught = error;
    });
    worker.on("exit", (code) => {
      exitInfo = { code, signal: null, error: uncaught };
      exitHandler?.(exitInfo);
      resolve();
    });
  });
  return {
    send: (message, transfer) => worker.postMessage(message, transfer as never),
    onMessage: (handler) => void worker.on("message", handler),
    onExit: (handler) => {
      exitHandler = handler;
      if (exitInfo) handler(exitInfo);
    },
    terminate: async () => {
      await worker.terminate();
      await exited;
    },
    setKeepAlive: (keepAlive) => (keepAlive ? worker.ref() : worker.unref()),
  };
}
