/**
 * The channels that live on this side and were handed to workers, by id, so that a worker's
 * request can find its channel. Kept on globalThis so that two copies of the core share it.
 */
import type { WorkerKind } from "../port.js";
import type { ChannelStore } from "./store.js";

/** Who makes a call: one worker (its host on this side), or this side itself. */
export interface Caller {
  /** What the answers must be able to cross to. */
  readonly kind: WorkerKind;
  /** The caller is on this side (no transport copies the values: the server copies them itself). */
  readonly local?: boolean;
}

/** Serves calls on objects that live on this side (a Manager's, manager/server.ts). */
export interface CallServer {
  /** Runs one call; settles through `done` (with what the caller decodes) or `fail`. Returns its withdrawal. */
  call(payload: unknown, caller: Caller, done: (value: unknown) => void, fail: (error: unknown) => void): () => void;
  /** The caller is gone (its worker ended): its waiting calls are withdrawn. */
  leave(caller: Caller): void;
}

/** A channel as its owner registered it: the object itself, and where its items live (a queue's store, or a server of calls). */
export interface RegisteredChannel {
  readonly owner: unknown;
  readonly store?: ChannelStore<unknown>;
  readonly server?: CallServer;
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
