import type { Endpoint, ExitInfo, StartOptions } from "@weftjs/core";

const ENTRY = new URL("./thread-entry.js", import.meta.url);

/** A Bun Worker running weft's thread entry. */
export function startThread(options: StartOptions): Endpoint {
  const smol = options.runtimeOptions?.smol === true;
  // Bun's Worker has no resourceLimits (see the adapter's capabilities); maxHeapMb is ignored.
  const worker = new Worker(ENTRY, {
    name: options.name,
    env: options.env ? { ...process.env, ...options.env } as Record<string, string> : undefined,
    smol,
  });
  let uncaught: unknown;
  let exitHandler: ((info: ExitInfo) => void) | undefined;
  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<void>((resolve) => {
    // Only errors the entry could not catch land here (e.g. the entry failed to load). Bun
    // leaves event.error undefined; its message holds the formatted error.
    worker.addEventListener("error", (event) => {
      uncaught = event.error ?? new Error(event.message);
    });
    // Bun's "close" carries the worker's exit code; it fires after every message the worker
    // posted before exiting has been dispatched (measured), and also after terminate().
    worker.addEventListener("close", (event) => {
      exitInfo = { code: event.code, signal: null, error: uncaught };
      exitHandler?.(exitInfo);
      resolve();
    });
  });
  return {
    send: (message, transfer) => worker.postMessage(message, (transfer ?? []) as Bun.Transferable[]),
    onMessage: (handler) => worker.addEventListener("message", (event) => handler(event.data)),
    onExit: (handler) => {
      exitHandler = handler;
      if (exitInfo) handler(exitInfo);
    },
    terminate: async () => {
      if (!exitInfo) worker.terminate();
      await exited;
    },
    setKeepAlive: (keepAlive) => (keepAlive ? worker.ref() : worker.unref()),
  };
}
