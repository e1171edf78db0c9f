import { type Adapter } from "@weft/core";
import { SERVER_RUNTIME_CAPABILITIES, defineAdapter } from "@weft/core/adapter";
import { startProcess } from "./process-endpoint.js";
import { startThread } from "./thread-endpoint.js";

/** weft's port implemented over Bun's Worker (threads) and Bun.spawn with IPC (processes). */
export const bunAdapter: Adapter = defineAdapter({
  runtime: "bun",
  capabilities: {
    ...SERVER_RUNTIME_CAPABILITIES,
    resourceLimits: false,
    notes: {
      resourceLimits:
        "Bun (JavaScriptCore) has no per-worker heap limit: Worker takes no resourceLimits and bun has no --max-old-space-size, so workerOptions.resourceLimits is ignored on Bun.",
    },
  },
  cpuCount: () => navigator.hardwareConcurrency,
  startThread,
  startProcess,
});
