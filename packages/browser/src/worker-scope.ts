/** The worker's side, shared by both entries: the core's Web Worker entry, named for this adapter. */
import { type WorkerKind } from "@weft/core";
import { serveInWebWorker } from "@weft/core/adapter";

/** Serves weft's protocol to the page from this worker. */
export function serveInWorker(kind: WorkerKind): void {
  serveInWebWorker(kind, { adapterName: "@weft/browser" });
}
