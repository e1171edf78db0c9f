/**
 * The channels that live on this side and were handed to workers, by id, so that a worker's
 * request can find its channel. Kept on globalThis so that two copies of the core share it.
 */
import type { ChannelStore } from "./store.js";

/** A channel as its owner registered it: the object itself, and where its items live. */
export interface RegisteredChannel {
  readonly owner: unknown;
  readonly store: ChannelStore<unknown>;
}

interface Registry {
  next: number;
  readonly channels: Map<string, RegisteredChannel>;
  readonly realm: string;
}

const KEY = Symbol.for("weft.channelRegistry.v2");

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (holder[KEY] ??= { next: 1, channels: new Map(), realm: Math.random().toString(36).slice(2, 10) });
}

export function registerChannel(channel: RegisteredChannel): string {
  const reg = registry();
  const id = `${reg.realm}:${reg.next++}`;
  reg.channels.set(id, channel);
  return id;
}

export function lookupChannel(id: string): RegisteredChannel | undefined {
  return registry().channels.get(id);
}
