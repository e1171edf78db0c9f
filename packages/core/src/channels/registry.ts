/**
 * The channels that live on this side and were handed to workers, so that a worker's request can
 * find its channel. Kept on globalThis so that two copies of the core share it.
 *
 * A channel is found by its id and its token together: the id is a counter (it names the channel
 * in messages), the token 128 random bits. A handle carries both, so a worker reaches exactly the
 * channels whose handles it was given; one rebuilt from a guessed or changed id, or with another
 * token, finds nothing, and its owner refuses it with UnknownHandleError.
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

/** Where a channel is found: its id and its token. Plain data, as a handle carries it. */
export interface ChannelAddress {
  readonly id: string;
  readonly token: string;
}

interface Registry {
  next: number;
  readonly channels: Map<string, RegisteredChannel>;
  readonly realm: string;
}

// v3: channels are keyed by id and token (a copy of the core with v2 ids shares nothing with it).
const KEY = Symbol.for("weft.channelRegistry.v3");

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (holder[KEY] ??= { next: 1, channels: new Map(), realm: Math.random().toString(36).slice(2, 10) });
}

/** Registers a channel; returns the address its handles carry. */
export function registerChannel(channel: RegisteredChannel): ChannelAddress {
  const reg = registry();
  const address = { id: `${reg.realm}:${reg.next++}`, token: newToken() };
  reg.channels.set(channelKey(address), channel);
  return address;
}

/**
 * The one string that names a channel in messages and in the registry: the lookup compares id
 * and token in one step, once per message (a worker's host keeps what it found for each key).
 */
export function channelKey(address: ChannelAddress): string {
  return `${address.id}/${address.token}`;
}

/** The channel at this key, if this side handed it out. */
export function lookupChannel(key: string): RegisteredChannel | undefined {
  return registry().channels.get(key);
}

/** The id part of a key, to name a channel in an error without repeating its token. */
export function keyId(key: unknown): string {
  // A worker's code could post a message of its own, with anything in place of a key.
  if (typeof key !== "string") return `(a ${typeof key}, not a key)`;
  const slash = key.lastIndexOf("/");
  return slash < 0 ? key : key.slice(0, slash);
}

/** 128 bits from the web's crypto.getRandomValues (on every runtime weft supports), as hex. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
