/**
 * The parent's side of channels for one worker: runs the operations the worker asks for on the
 * real channel and answers. When the worker is gone, its waiting operations are withdrawn, so a
 * dead consumer never takes an item.
 */
import { AbortError, serializeError } from "../errors.js";
import type { ChannelReply, ChannelRequest } from "./messages.js";
import { lookupChannel } from "./registry.js";

export class ChannelHost {
  readonly #send: (reply: ChannelReply) => void;
  readonly #waiting = new Map<number, AbortController>();

  constructor(send: (reply: ChannelReply) => void) {
    this.#send = send;
  }

  handle(request: ChannelRequest): void {
    if (request.op === "cancel") {
      this.#waiting.get(request.request)?.abort(new AbortError("The worker withdrew this channel operation."));
      return;
    }
    const channel = lookupChannel<unknown>(request.channel);
    if (!channel) {
      this.#fail(request.request, new ReferenceError(`No channel ${request.channel} lives on this side.`));
      return;
    }
    const controller = new AbortController();
    this.#waiting.set(request.request, controller);
    const options = { signal: controller.signal, timeout: request.timeout ?? null };
    let operation: Promise<unknown>;
    switch (request.op) {
      case "put":
        operation = channel.put(request.value, options);
        break;
      case "get":
        operation = channel.get(options);
        break;
      case "size":
        operation = channel.size();
        break;
      default:
        operation = channel.close();
    }
    operation.then(
      (value) => {
        this.#waiting.delete(request.request);
        try {
          this.#send({ type: "channel-reply", request: request.request, ok: true, value });
        } catch (error) {
          // The worker is gone (or the value cannot cross): give a taken item back.
          if (request.op === "get") void channel.put(value).catch(() => undefined);
          this.#fail(request.request, error);
        }
      },
      (error: unknown) => {
        this.#waiting.delete(request.request);
        this.#fail(request.request, error);
      },
    );
  }

  /** The worker ended: withdraw everything it was waiting for. */
  dispose(): void {
    for (const controller of this.#waiting.values()) controller.abort(new AbortError("The worker ended."));
    this.#waiting.clear();
  }

  #fail(request: number, error: unknown): void {
    try {
      this.#send({ type: "channel-reply", request, ok: false, error: serializeError(error) });
    } catch {
      // The worker is gone; nobody is waiting for this answer.
    }
  }
}
