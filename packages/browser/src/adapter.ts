import { type Adapter, type Capabilities } from "@weft/core";
import { defineAdapter } from "@weft/core/adapter";
import { startProcess } from "./process-endpoint.js";
import { startThread } from "./thread-endpoint.js";

/**
 * A page gets SharedArrayBuffer only when cross-origin isolated, which cannot change while it
 * lives, so it is read once.
 */
const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof SharedArrayBuffer === "function";

const HEADERS_HINT =
  "send the page with the headers `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp` " +
  "(e.g. Vite: `server.headers` and `preview.headers`; a static host: its headers file) and check `self.crossOriginIsolated`";

const notes: Record<string, string> = {
  processExitCodes:
    "a browser has no OS processes: a process worker is a dedicated Web Worker that ends with self.close(), which carries no exit code",
  threadExitCodes: "a browser Web Worker ends with self.close(), which carries no exit code",
  osProcesses:
    "a browser cannot fork: weft's browser process is a dedicated Web Worker with its own heap and globals that never shares memory " +
    "(arguments and results are copied, transfer lists are copied, shared memory is refused); it has no pid and cannot be killed from outside the page",
  resourceLimits: "browsers offer no per-worker heap limit",
  blockingWaitOnMain: "a page's main thread must never block; Atomics.wait throws there, so weft waits with Atomics.waitAsync or messages",
};
if (!isolated) notes.sharedMemory = `this page is not cross-origin isolated, so SharedArrayBuffer does not exist here: ${HEADERS_HINT}`;

const capabilities: Capabilities = {
  sharedMemory: isolated,
  blockingWaitOnMain: false,
  processExitCodes: false,
  threadExitCodes: false,
  osProcesses: false,
  resourceLimits: false,
  notes,
};

/** weft's port implemented over module Web Workers, for threads and for (memory-isolated) processes. */
export const browserAdapter: Adapter = defineAdapter({
  runtime: "browser",
  capabilities,
  cpuCount: () => {
    const count = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
    return typeof count === "number" && count > 0 ? count : 1;
  },
  startThread,
  startProcess,
});
