import type { Endpoint, StartOptions } from "@weft/core/adapter";
import { workerEndpoint } from "./worker-endpoint.js";

/**
 * The browser's process: a browser cannot fork, so a process is a module Web Worker that weft
 * never shares memory with — its own heap and globals, arguments and results copied (transfer
 * lists too), shared memory refused by the core. It has no pid, no exit code and no OS signals
 * (see the adapter's capabilities).
 */
export function startProcess(_options: StartOptions): Endpoint {
  // Same bundler-friendly form as the thread entry (see thread-endpoint.ts).
  const worker = new Worker(new URL("./process-entry.js", import.meta.url), { type: "module" });
  return workerEndpoint(worker, "process");
}
