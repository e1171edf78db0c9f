import { type Adapter, SERVER_RUNTIME_CAPABILITIES, defineAdapter } from "@weftjs/core";
import { startProcess } from "./process-endpoint.js";
import { startThread } from "./thread-endpoint.js";

/** weft's port implemented over Deno's module Web Workers and Deno.Command. */
export const denoAdapter: Adapter = defineAdapter({
  runtime: "deno",
  capabilities: {
    ...SERVER_RUNTIME_CAPABILITIES,
    resourceLimits: false,
    notes: {
      resourceLimits:
        "Deno's Web Workers take no per-worker heap limit, so maxHeapMb cannot be enforced for threads " +
        "(process workers do get it, as --v8-flags=--max-old-space-size).",
    },
  },
  cpuCount: () => navigator.hardwareConcurrency,
  startThread,
  startProcess,
});
