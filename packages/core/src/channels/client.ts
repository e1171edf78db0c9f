/**
 * The worker's side of channels: sends each operation to the parent and awaits its reply.
 * `serveWorker` installs the client; a proxy used outside a weft worker gets a clear error.
 */
import { AbortError, InvalidStateError, deserializeError } from "../errors.js";
import type { ChannelReply, ChannelRequest } from "./messages.js";

export interface ChannelClient {
  request(channel: string, op: ChannelRequest["op"], value?: unknown, options?: { signal?: AbortSignal; timeout?: number | null }): Promise<unknown>;
}

const KEY = Symbol.for("weft.channelClient");

export function channelClient(): ChannelClient {
  const client = (globalThis as Record<symbol, ChannelClient | undefined>)[KEY];
  if (!client) throw new InvalidStateError("This channel lives with another side; it can only be used inside the weft worker it was passed to.");
  return client;
}

/** Installs the client over a worker's outgoing messages; returns the handler for replies. */
export function installChannelClient(send: (request: ChannelRequest) => void): (reply: ChannelReply) => void {
  let next = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  const client: ChannelClient = {
    request(channel, op, value, options) {
      const signal = options?.signal;
      if (signal?.aborted) return Promise.reject(signal.reason ?? new AbortError());
      const request = next++;
      return new Promise((resolve, reject) => {
        const onAbort = () => send({ type: "channel", request, channel, op: "cancel" });
        signal?.addEventListener("abort", onAbort, { once: true });
        // The parent answers a withdrawn request too (with the abort, or with the item if it
        // was already taken), so that an item is never lost between the two sides.
        pending.set(request, {
          resolve: (v) => {
            signal?.removeEventListener("abort", onAbort);
            resolve(v);
          },
          reject: (e) => {
            signal?.removeEventListener("abort", onAbort);
            reject(signal?.aborted ? (signal.reason ?? e) : e);
          },
        });
        send({ type: "channel", request, channel, op, value, timeout: options?.timeout ?? null });
      });
    },
  };
  (globalThis as Record<symbol, ChannelClient | undefined>)[KEY] = client;
  return (reply) => {
    const waiter = pending.get(reply.request);
    if (!waiter) return;
    pending.delete(reply.request);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(deserializeError(reply.error));
  };
}
