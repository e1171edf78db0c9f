import { Worker } from "node:worker_threads";
import { type Endpoint, type StartOptions, createEndpoint } from "@weft/core/adapter";
import { requireEntryFile } from "./entry-file.js";

const ENTRY = new URL("./thread-entry.js", import.meta.url);

/**
 * Node 20's worker threads do not run the module loaders of `--import`/`--loader` (tsx's hooks
 * among them), so a thread there cannot load a TypeScript task module that a loader compiles.
 */
function checkLoaderReachesThreads(module: string | undefined): void {
  if (!module || !/\.(ts|mts|cts|tsx)$/.test(new URL(module).pathname)) return;
  const major = Number(process.versions.node.split(".")[0]);
  const loader = process.execArgv.some((flag) => /^--(import|loader|experimental-loader)\b/.test(flag));
  if (major < 22 && loader) {
    throw new Error(
      `Node ${process.versions.node}'s worker threads do not run module loaders such as tsx's, so a thread cannot load ${module}. ` +
        `Use { kind: "process" } (processes inherit the loader), compile the task module to .js, or run Node 22 or newer.`,
    );
  }
}

/** A worker_threads Worker running weft's thread entry. */
export function startThread(options: StartOptions): Endpoint {
  checkLoaderReachesThreads(options.module);
  const maxHeapMb = options.resourceLimits?.maxHeapMb;
  requireEntryFile(ENTRY);
  const worker = new Worker(ENTRY, {
    name: options.name,
    env: options.env ? { ...process.env, ...options.env } : undefined,
    resourceLimits: maxHeapMb ? { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: Math.min(16, maxHeapMb) } : undefined,
    stdout: false,
    stderr: false,
  });
  let uncaught: unknown;
  const control = createEndpoint({
    send: (message, transfer) => worker.postMessage(message, transfer as never),
    stop: () => void worker.terminate(),
    setKeepAlive: (keepAlive) => (keepAlive ? worker.ref() : worker.unref()),
  });
  worker.on("message", control.deliver);
  worker.on("error", (error) => {
    uncaught = error;
  });
  // A message the main thread cannot deserialize would vanish with the results it carried:
  // end the worker instead, so that its tasks are answered.
  worker.on("messageerror", (error) => {
    uncaught ??= new Error(`A message from the thread worker could not be deserialized: ${error instanceof Error ? error.message : String(error)}`);
    void worker.terminate();
  });
  worker.on("exit", (code) => control.exited({ code, signal: null, error: uncaught }));
  return control.endpoint;
}
