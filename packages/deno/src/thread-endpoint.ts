import type { Endpoint, ExitInfo, StartOptions } from "@weftjs/core";
import { deno } from "./deno-api.js";
import { bootstrapModule, PERMISSION_NAMES, resolveRuntimeOptions, workerPermissions } from "./permissions.js";

const ENTRY = new URL("./thread-entry.js", import.meta.url);
/** What the thread entry posts last before it closes itself; Deno's Worker has no exit event. */
const EXIT_NOTICE = "weft:exit";

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
  let messageHandler: ((message: unknown) => void) | undefined;
  let exitHandler: ((info: ExitInfo) => void) | undefined;
  let exitInfo: ExitInfo | undefined;
  let resolveExited!: () => void;
  const exited = new Promise<void>((resolve) => (resolveExited = resolve));
  const finish = (info: ExitInfo) => {
    if (exitInfo) return;
    exitInfo = info;
    worker.terminate();
    exitHandler?.(info);
    resolveExited();
  };
  worker.onmessage = (event: MessageEvent) => {
    const data = event.data as { type?: unknown; code?: unknown } | null;
    if (data !== null && typeof data === "object" && data.type === EXIT_NOTICE) {
      finish({ code: typeof data.code === "number" ? data.code : 0, signal: null });
      return;
    }
    messageHandler?.(event.data);
  };
  // Reaches here only when the entry itself failed (e.g. could not load): the entry reports a
  // task's uncaught errors itself. preventDefault keeps Deno from ending this process too.
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    finish({ code: 1, signal: null, error: event.error ?? new Error(event.message) });
  };
  worker.onmessageerror = () => {
    finish({ code: 1, signal: null, error: new Error("A message from the worker thread could not be deserialized.") });
  };
  return {
    send: (message, transfer) => {
      if (exitInfo) throw new Error("The worker thread has exited.");
      worker.postMessage(message, transfer?.length ? { transfer: transfer as Transferable[] } : undefined);
    },
    onMessage: (handler) => void (messageHandler = handler),
    onExit: (handler) => {
      exitHandler = handler;
      if (exitInfo) handler(exitInfo);
    },
    terminate: async () => {
      // Like Node's worker.terminate(): the thread stops at once, exit code 1.
      finish({ code: 1, signal: null });
      await exited;
    },
    setKeepAlive: (value) => {
      if (exitInfo || value === keepAlive) return;
      keepAlive = value;
      refWorker?.(worker, value);
    },
  };
}
