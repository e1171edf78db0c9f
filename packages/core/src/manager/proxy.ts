/**
 * What every proxy of a Manager shares: the reference to its object (the manager's channel
 * address, the object's number and token, its type), how a call reaches the object — directly
 * where the manager lives, by a message to the parent from a worker — and how the proxy crosses
 * to a worker as an ordinary argument (a shared handle that crosses to processes too).
 */
import { onAbort } from "../asyncio/internal.js";
import { channelClient } from "../channels/client.js";
import { channelKey, lookupChannel, type CallServer, type ChannelAddress } from "../channels/registry.js";
import { SHARED_HANDLE, type SharedDescriptor, type SharedHandle } from "../shared-handle.js";
import { LOCAL_CALLER } from "./server.js";
import { packArgs, unpack, type CallPayload, type Packed } from "./wire.js";

/** The shared type every proxy crosses as. */
export const PROXY_TYPE = "weft.manager.Proxy";

/** The kinds of object a Manager serves. */
export type ReferentType = "dict" | "list" | "Namespace" | "Value" | "Lock" | "RLock" | "Queue";

/**
 * What a proxy carries: enough to reach its object from any side, and no further. The manager's
 * address and the object's token are secrets the manager checks on every call, so a proxy made
 * up from numbers (a neighbour's, another manager's) is refused with UnknownHandleError.
 */
export interface ProxyRef {
  /** The manager's channel (channels/registry.ts). */
  readonly manager: ChannelAddress;
  readonly object: number;
  /** The object's token (manager/server.ts). */
  readonly token: string;
  readonly type: ReferentType;
  /** What the proxy knows without asking (a Value's typecode, a Queue's maxsize). */
  readonly info?: unknown;
}

/**
 * The base of every Manager proxy (Python's `BaseProxy`). A proxy is a handle: copying it (passing
 * it to a worker, storing it in a managed dict) gives another handle on the same object.
 */
export abstract class BaseProxy implements SharedHandle {
  readonly #ref: ProxyRef;
  /** The manager's key in messages (channels/registry.ts). */
  readonly #manager: string;

  /** @internal Proxies come from a {@link Manager}'s methods, or arrive as arguments. */
  constructor(ref: ProxyRef) {
    this.#ref = ref;
    this.#manager = channelKey(ref.manager);
  }

  /** @internal */
  protected get ref(): ProxyRef {
    return this.#ref;
  }

  /** True if `other` is a proxy of the same object (Python compares proxies' referents the same way). */
  sameReferent(other: unknown): boolean {
    if (!(other instanceof BaseProxy)) return false;
    const ref = other.#ref;
    return other.#manager === this.#manager && ref.object === this.#ref.object && ref.token === this.#ref.token;
  }

  /** @internal Runs `method` on the object with `args` (copied there); resolves its result (copied back). */
  protected invoke(method: string, args: readonly unknown[], signal?: AbortSignal): Promise<unknown> {
    try {
      const where = `manager ${this.#ref.type}.${method}(): args`;
      const { object, token } = this.#ref;
      const server = lookupChannel(this.#manager)?.server;
      if (server) {
        const payload: CallPayload = { object, token, method, args: packArgs(args, LOCAL_CALLER.kind, where, true) };
        return callHere(server, payload, signal);
      }
      const client = channelClient();
      const payload: CallPayload = { object, token, method, args: packArgs(args, client.kind, where, false) };
      return client.call(this.#manager, payload, signal).then((reply) => unpack(reply as Packed));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  [SHARED_HANDLE](): SharedDescriptor {
    return { type: PROXY_TYPE, state: { ...this.#ref, manager: { ...this.#ref.manager } }, crossesProcesses: true };
  }
}

/** A call where the manager lives: no message, the same copies. */
function callHere(server: CallServer, payload: CallPayload, signal: AbortSignal | undefined): Promise<unknown> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    let settled = false;
    let stopAbort = (): void => {};
    const withdraw = server.call(
      payload,
      LOCAL_CALLER,
      (reply) => {
        settled = true;
        stopAbort();
        try {
          resolve(unpack(reply as Packed));
        } catch (error) {
          reject(error);
        }
      },
      (error) => {
        settled = true;
        stopAbort();
        // Withdrawn by the caller's signal: reject with its reason, as a worker's call does.
        reject(signal?.aborted ? signal.reason : error);
      },
    );
    if (!settled && signal) stopAbort = onAbort(signal, withdraw);
  });
}

/** Checks a received proxy reference. */
export function checkRef(state: unknown): ProxyRef {
  const ref = state as ProxyRef | undefined;
  const manager = ref?.manager as Partial<ChannelAddress> | undefined;
  if (typeof manager?.id !== "string" || typeof manager.token !== "string" || typeof ref?.object !== "number" || typeof ref.token !== "string" || typeof ref.type !== "string") {
    throw new TypeError("A Manager proxy arrived without its reference (manager, object, token, type); it was not sent by this version of weft.");
  }
  return ref;
}
