import { type Endpoint, type StartOptions, createEndpoint } from "@weft/core/adapter";
import { COMPILED_THREAD_HINT, isCompiledExecutableUrl } from "./entry-file.js";

const ENTRY = new URL("./thread-entry.js", import.meta.url);
const COMPILED = isCompiledExecutableUrl(import.meta.url);

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
  const control = createEndpoint({
    send: (message, transfer) => worker.postMessage(message, (transfer ?? []) as Bun.Transferable[]),
    stop: () => worker.terminate(),
    setKeepAlive: (keepAlive) => (keepAlive ? worker.ref() : worker.unref()),
  });
  worker.addEventListener("message", (event) => control.deliver(event.data));
  // Only errors the entry could not catch land here (e.g. the entry failed to load). Bun
  // leaves event.error undefined; its message holds the formatted error.
  worker.addEventListener("error", (event) => {
    uncaught = event.error ?? new Error(event.message);
    if (COMPILED && /ModuleNotFound|Cannot find module/.test(event.message)) uncaught = new Error(`${event.message}. ${COMPILED_THREAD_HINT}`, { cause: uncaught });
  });
  worker.addEventListener("messageerror", () => {
    uncaught ??= new Error("A message from the thread worker could not be deserialized.");
    worker.terminate();
  });
  // Bun's "close" carries the worker's exit code; it fires after every message the worker
  // posted before exiting has been dispatched (measured), and also after terminate().
  worker.addEventListener("close", (event) => control.exited({ code: event.code, signal: null, error: uncaught }));
  return control.endpoint;
}
