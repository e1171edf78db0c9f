/**
 * The messages of the channels (Queue, Pipe) that cross between a worker and the side that owns
 * the channel. The task protocol (protocol.ts) routes every message whose `type` is "channel"
 * to the channel host and every "channel-reply" to the channel client; what they carry is the
 * channels' own business.
 */
import type { SerializedError } from "../errors.js";

/** An operation on a channel (Queue, Pipe) that lives on the caller's side, asked by a worker. */
export interface ChannelRequest {
  readonly type: "channel";
  readonly request: number;
  readonly channel: string;
  readonly op: "put" | "get" | "close" | "size" | "cancel";
  readonly value?: unknown;
  readonly timeout?: number | null;
}

/** The caller's answer to a {@link ChannelRequest}. */
export type ChannelReply =
  | { readonly type: "channel-reply"; readonly request: number; readonly ok: true; readonly value?: unknown }
  | { readonly type: "channel-reply"; readonly request: number; readonly ok: false; readonly error: SerializedError };

