import { availableParallelism, cpus } from "node:os";
import { type Adapter } from "@weft/core";
import { SERVER_RUNTIME_CAPABILITIES, defineAdapter } from "@weft/core/adapter";
import { startProcess } from "./process-endpoint.js";
import { startThread } from "./thread-endpoint.js";

/** weft's port implemented over Node's worker_threads and child_process.fork. */
export const nodeAdapter: Adapter = defineAdapter({
  runtime: "node",
  capabilities: {
    ...SERVER_RUNTIME_CAPABILITIES,
    resourceLimits: true,
  },
  cpuCount: () => (typeof availableParallelism === "function" ? availableParallelism() : cpus().length),
  startThread,
  startProcess,
});
