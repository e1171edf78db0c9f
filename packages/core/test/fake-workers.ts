/**
 * Workers the test drives, for the pool's deterministic specs: a fake adapter whose workers
 * record what the pool sent them and answer (ready, setup, results, crash) when told to; and the
 * worker's own side (serveWorker) on a fake port, for the worker-side specs.
 */
import { createEndpoint, type EndpointControl } from "../src/endpoint-kit.js";
import { serializeError } from "../src/codec/thrown.js";
import type { Adapter, ExitInfo, WorkerSidePort } from "../src/port.js";
import type { FromWorker, RunMessage, ToWorker } from "../src/protocol.js";
import { serveWorker } from "../src/worker/serve.js";

/** serveWorker on a process-kind port that records what it sends; `deliver` hands it a message. */
export function servedWorker(whenSent?: () => Promise<void> | undefined): { sent: FromWorker[]; deliver(message: ToWorker): void } {
  const sent: FromWorker[] = [];
  let deliver!: (message: ToWorker) => void;
  const port: WorkerSidePort = {
    kind: "process",
    send: (message) => void sent.push(message),
    onMessage: (handler) => void (deliver = handler),
    exit: () => undefined,
    ...(whenSent ? { whenSent } : {}),
  };
  serveWorker(port);
  return { sent, deliver: (message) => deliver(message) };
}

export class FakeWorker {
  readonly sent: ToWorker[] = [];
  terminated = false;
  readonly control: EndpointControl;
  constructor(readonly number: number) {
    this.control = createEndpoint({
      send: (message) => void this.sent.push(message),
      stop: () => {
        this.terminated = true;
        this.control.exited({ code: 1, signal: null });
      },
    });
  }
  say(message: FromWorker): void {
    this.control.deliver(message);
  }
  ready(): void {
    this.say({ type: "ready" });
  }
  /** Loads, and its initializer succeeds (or fails with `error`). */
  start(error?: unknown): void {
    this.ready();
    this.say(error === undefined ? { type: "setup-done" } : { type: "setup-done", error: serializeError(error) });
  }
  /** The types of the messages the pool sent it, in order. */
  types(): string[] {
    return this.sent.map((m) => m.type);
  }
  /** Ids of the tasks sent to this worker, in order. */
  get taskIds(): number[] {
    return this.sent.filter((m): m is RunMessage => m.type === "run").flatMap((m) => m.tasks.map((t) => t.id));
  }
  get runMessages(): RunMessage[] {
    return this.sent.filter((m): m is RunMessage => m.type === "run");
  }
  answer(id: number, value: unknown = id): void {
    this.control.deliver({ type: "results", results: [{ id, ok: true, value, encoded: false }] });
  }
  throwIn(id: number, error: unknown): void {
    this.control.deliver({ type: "results", results: [{ id, ok: false, error: serializeError(error) }] });
  }
  exit(info: ExitInfo = { code: 1, signal: null }): void {
    this.control.exited(info);
  }
}

export function fakeAdapter(): { adapter: Adapter; workers: FakeWorker[] } {
  const workers: FakeWorker[] = [];
  const adapter: Adapter = {
    runtime: "node",
    capabilities: { sharedMemory: false, blockingWaitOnMain: false, processExitCodes: true, osProcesses: false, resourceLimits: false },
    cpuCount: () => 2,
    start: () => {
      const worker = new FakeWorker(workers.length + 1);
      workers.push(worker);
      return worker.control.endpoint;
    },
  };
  return { adapter, workers };
}

export const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};
