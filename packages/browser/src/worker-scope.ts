/** The worker's side, shared by both entries: the core's Web Worker entry, named for this adapter. */
import { serveInWebWorker, type WorkerKind } from "@weft/core";

/** Serves weft's protocol to the page from this worker. */
export function serveInWorker(kind: WorkerKind): void {
  serveInWebWorker(kind, { adapterName: "@weft/browser" });
}
