/**
 * Process's "forkserver" start method: one process worker started ahead and kept ready, so that
 * the next Process starts in a runtime that has already booted and loaded weft. A JavaScript
 * runtime cannot fork, so where Python's forkserver forks a server that has loaded the modules,
 * weft keeps a spare: started with what the next Process would be started with (the same task
 * module, no worker options of its own), never keeping the host alive, and replaced as soon as
 * it is taken. A spare that died meanwhile is never handed out; a spare for another module is
 * stopped. One spare per adapter.
 */
import type { Adapter, Endpoint } from "./port.js";

/** Python's start methods as weft offers them: "spawn" starts a fresh runtime per Process; "forkserver" hands out a spare. */
export type StartMethod = "spawn" | "forkserver";

interface Spare {
  /** The task module it was started for ("" for an inline target). */
  readonly module: string;
  readonly endpoint: Endpoint;
  dead: boolean;
}

const spares = new WeakMap<Adapter, Spare>();

/**
 * A started process worker for a Process whose target lives in `module` (undefined: an inline
 * target), or undefined when there is none ready (the caller starts one itself). Either way the
 * next spare starts on the next turn. The endpoint handed out has its messages (its "ready")
 * kept for the first handler, and still does not keep the host alive: the caller decides.
 */
export function takeSpareProcess(adapter: Adapter, module: string | undefined): Endpoint | undefined {
  const key = module ?? "";
  const spare = spares.get(adapter);
  spares.delete(adapter);
  setTimeout(() => startSpare(adapter, key), 0);
  if (!spare || spare.dead) return undefined;
  if (spare.module !== key) {
    void spare.endpoint.terminate().catch(() => undefined);
    return undefined;
  }
  return spare.endpoint;
}

function startSpare(adapter: Adapter, module: string): void {
  if (spares.has(adapter)) return;
  let endpoint: Endpoint;
  try {
    endpoint = adapter.start("process", module === "" ? {} : { module });
  } catch {
    return; // The next Process starts the ordinary way, and reports why it cannot.
  }
  if (!endpoint.setKeepAlive) {
    // A spare the host cannot let go of would keep it running forever.
    void endpoint.terminate().catch(() => undefined);
    return;
  }
  endpoint.setKeepAlive(false);
  const spare: Spare = { module, endpoint, dead: false };
  endpoint.onExit(() => {
    spare.dead = true;
    if (spares.get(adapter) === spare) spares.delete(adapter);
  });
  spares.set(adapter, spare);
}
