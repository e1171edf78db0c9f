import type { Endpoint, StartOptions } from "@weft/core/adapter";
import { workerEndpoint } from "./worker-endpoint.js";

/** A module Web Worker running weft's thread entry; SharedArrayBuffers and transfers reach it. */
export function startThread(_options: StartOptions): Endpoint {
  // Written exactly in this form so that bundlers (Vite, webpack, Parcel) find the entry and emit
  // it; the options must stay a static literal for Vite, so the worker gets no `name`.
  const worker = new Worker(new URL("./thread-entry.js", import.meta.url), { type: "module" });
  return workerEndpoint(worker, "thread");
}
