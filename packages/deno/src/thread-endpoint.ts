import { type Endpoint, type EndpointControl, type StartOptions, createEndpoint } from "@weft/core/adapter";
import { deno } from "./deno-api.js";
import { bootstrapModule, PERMISSION_NAMES, resolveRuntimeOptions, workerPermissions } from "./permissions.js";

const ENTRY = new URL("./thread-entry.js", import.meta.url);

/** The flag Deno needs before a Worker may take `deno.permissions`. */
export const WORKER_OPTIONS_FLAG = "--unstable-worker-options";

let workerOptionsFlag: "enabled" | "missing" | "unknown" | undefined;

/**
 * Deno ends the whole process (exit code 70) when a Worker is given permissions without
 * --unstable-worker-options, and offers no API to ask beforehand. The command line is readable
 * only with --allow-all; when it is, check it (and deno.json's "unstable" list) and fail with a
 * clear error instead. Otherwise Deno's own message names the flag.
 */
function checkWorkerOptionsFlag(): "enabled" | "missing" | "unknown" {
  if (workerOptionsFlag) return workerOptionsFlag;
  workerOptionsFlag = "unknown";
  const api = deno();
  // Reading /proc/self needs every permission; asking without them could prompt the user.
  if (!PERMISSION_NAMES.every((name) => api.permissions.querySync({ name }).state === "granted")) return workerOptionsFlag;
  try {
    const args = api.readTextFileSync("/proc/self/cmdline").split("\0");
    if (args.includes(WORKER_OPTIONS_FLAG)) return (workerOptionsFlag = "enabled");
    const configAt = args.findIndex((arg) => arg === "--config" || arg === "-c" || arg.startsWith("--config="));
    const candidates: string[] = [];
    if (configAt >= 0) candidates.push(args[configAt]!.startsWith("--config=") ? args[configAt]!.slice(9) : args[configAt + 1] ?? "");
    else {
      for (let dir = api.cwd(); ; dir = dir.replace(/\/[^/]*$/, "") || "/") {
        candidates.push(`${dir}/deno.json`, `${dir}/deno.jsonc`);
        if (dir === "/") break;
      }
    }
    for (const path of candidates) {
      let text: string;
      try {
        text = api.readTextFileSync(path);
      } catch {
        continue;
      }
      return (workerOptionsFlag = text.includes("worker-options") ? "enabled" : "missing");
    }
    workerOptionsFlag = "missing";
  } catch {
    // Not Linux, or no /proc: cannot tell.
  }
  return workerOptionsFlag;
}

/**
 * Deno's Worker keeps the process alive while it runs and has no public unref(); its
 * private ref-count method is the one un-registered symbol-keyed method on the prototype
 * (node:worker_threads' unref() uses it). Found once; when absent, workers keep the host alive.
 */
const refWorker: ((worker: Worker, keepAlive: boolean) => void) | undefined = (() => {
  const proto = Worker.prototype as unknown as Record<symbol, unknown>;
  const candidates = Object.getOwnPropertySymbols(proto).filter(
    (symbol) => Symbol.keyFor(symbol) === undefined && symbol !== Symbol.toStringTag && typeof proto[symbol] === "function",
  );
  if (candidates.length !== 1) return undefined;
  const method = candidates[0]!;
  return (worker, keepAlive) => (worker as unknown as Record<symbol, (ref: boolean) => void>)[method]!(keepAlive);
})();

/** A Deno module Web Worker running weft's thread entry, with the pool's Deno permissions. */
export function startThread(options: StartOptions): Endpoint {
  const { permissions } = resolveRuntimeOptions(options.runtimeOptions);
  const restricted = workerPermissions(permissions);
  if (restricted !== "inherit" && checkWorkerOptionsFlag() === "missing") {
    throw new Error(
      `Deno thread workers run with restricted permissions, which needs Deno's ${WORKER_OPTIONS_FLAG} flag: ` +
        `start Deno with it (deno run ${WORKER_OPTIONS_FLAG} main.ts), or add "unstable": ["worker-options"] to deno.json. ` +
        `(workerOptions: { runtimeOptions: { permissions: "inherit" } } gives threads this process's permissions instead, without the flag.)`,
    );
  }
  const worker = new Worker(bootstrapModule(ENTRY, options.module), {
    type: "module",
    name: options.name,
    ...(restricted === "inherit" ? {} : { deno: { permissions: restricted } }),
  } as WorkerOptions);
  let keepAlive = true;
  const control: EndpointControl = createEndpoint({
    exitByNotice: true,
    send: (message, transfer) => worker.postMessage(message, transfer?.length ? { transfer: transfer as Transferable[] } : undefined),
    // Like Node's worker.terminate(): exit code 1. Deno's Worker reports nothing back, and a
    // worker busy in synchronous code keeps running (capabilities.stopsBusyThreads): unref it,
    // so that such a thread never keeps the host alive — ending the host ends it.
    stop: () => terminate(),
    setKeepAlive: (value) => {
      if (value === keepAlive) return;
      keepAlive = value;
      refWorker?.(worker, value);
    },
  });
  const terminate = (error?: Error) => {
    worker.terminate();
    refWorker?.(worker, false);
    control.exited({ code: 1, signal: null, ...(error ? { error } : {}) });
  };
  const end = (error: Error) => terminate(error);
  worker.onmessage = (event: MessageEvent) => {
    control.deliver(event.data);
    // Also after the worker closed itself: what it still had queued must never run.
    if (control.gone) {
      worker.terminate();
      refWorker?.(worker, false);
    }
  };
  // Reaches here only when the entry itself failed (e.g. could not load): the entry reports a
  // task's uncaught errors itself. preventDefault keeps Deno from ending this process too.
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    end(event.error ?? new Error(event.message));
  };
  worker.onmessageerror = () => end(new Error("A message from the worker thread could not be deserialized."));
  return control.endpoint;
}
