import { type Adapter } from "@weft/core";
import { SERVER_RUNTIME_CAPABILITIES, defineAdapter } from "@weft/core/adapter";
import { startProcess } from "./process-endpoint.js";
import { startThread } from "./thread-endpoint.js";

/** weft's port implemented over Deno's module Web Workers and Deno.Command. */
export const denoAdapter: Adapter = defineAdapter({
  runtime: "deno",
  capabilities: {
    ...SERVER_RUNTIME_CAPABILITIES,
    resourceLimits: false,
    stopsBusyThreads: false,
    notes: {
      stopsBusyThreads:
        "Deno's Worker.terminate() does not stop a worker busy in synchronous code (measured on Deno 2.9.6: " +
        "the loop keeps a core busy), and Deno offers nothing stronger short of ending the whole process. A thread " +
        "timed out, aborted or terminated while it spins keeps running until its code yields (a pool counts it in " +
        "stats.lingeringThreads); it no longer keeps the host alive. Use kind: \"process\" for tasks that may not " +
        "yield (a process is killed with SIGKILL).",
      resourceLimits:
        "Deno's Web Workers take no per-worker heap limit, so maxHeapMb cannot be enforced for threads " +
        "(process workers do get it, as --v8-flags=--max-old-space-size).",
    },
  },
  cpuCount: () => navigator.hardwareConcurrency,
  startThread,
  startProcess,
});
