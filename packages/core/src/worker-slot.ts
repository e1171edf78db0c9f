/**
 * One live worker as the pool sees it: its endpoint and the tasks sent to it, in the order the
 * worker will run them (it runs them one at a time, so the first is the one running).
 */
import { ChannelHost } from "./channels/host.js";
import type { FastLaneCaller } from "./fast-lane.js";
import type { Endpoint } from "./port.js";
import type { PendingTask } from "./pending-task.js";

export class WorkerSlot {
  readonly endpoint: Endpoint;
  readonly number: number;
  /** Tasks sent and not yet reported, oldest first; `inflight[0]` is running. */
  readonly inflight: PendingTask[] = [];
  /** When `inflight[0]` started running (the later of its dispatch and its predecessor's end). */
  headStartedAt = 0;
  ready = false;
  /** Tasks dispatched over the worker's life (for maxTasksPerWorker). */
  dispatched = 0;
  completed = 0;
  retiring = false;
  exited = false;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  graceTimer: ReturnType<typeof setTimeout> | undefined;
  keptAlive = true;
  /** The shared-memory mailbox of a thread worker, when this context supports it. */
  fastLane: FastLaneCaller | undefined;
  /** Runs the channel operations this worker asks for; made on first use. */
  channelHost: ChannelHost | undefined;
  /** The uncaught error the worker reported before it died, if any. */
  fatalError: unknown;

  constructor(endpoint: Endpoint, number: number) {
    this.endpoint = endpoint;
    this.number = number;
  }

  channels(): ChannelHost {
    return (this.channelHost ??= new ChannelHost((reply) => this.send(reply)));
  }

  /** Sends by message, first waking the worker if it is waiting on its fast lane. */
  send(message: unknown, transfer?: readonly Transferable[]): void {
    this.fastLane?.wake();
    this.endpoint.send(message, transfer);
  }

  get busy(): boolean {
    return this.inflight.length > 0;
  }

  setKeepAlive(keepAlive: boolean): void {
    if (this.keptAlive === keepAlive) return;
    this.keptAlive = keepAlive;
    this.endpoint.setKeepAlive?.(keepAlive);
  }

  /** Clears timers and withdraws the channel operations of a worker that is gone or going. */
  release(): void {
    this.channelHost?.dispose();
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    this.idleTimer = undefined;
    this.graceTimer = undefined;
  }
}
