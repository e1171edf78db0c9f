/**
 * The side of a Manager that holds its objects and runs its proxies' calls — from workers, through
 * their channel hosts (channels/host.ts), and from proxies on this side directly. Every call runs
 * on this side's event loop, one at a time, so each method is atomic; a call that waits (a Lock's
 * acquire, a Queue's get) is withdrawn when its caller withdraws it, when its worker ends, or when
 * the manager shuts down (then it fails with ManagerClosedError).
 */
import { AbortError, ManagerClosedError, UnknownHandleError } from "../errors.js";
import { isThenable } from "../asyncio/internal.js";
import { newToken, type CallServer, type Caller } from "../channels/registry.js";
import { pack, unpack, type CallPayload } from "./wire.js";

/** What one call runs with. */
export interface CallContext {
  readonly caller: Caller;
  /** Aborted when the call is withdrawn, its worker ends, or the manager shuts down (reason: ManagerClosedError). */
  readonly signal: AbortSignal;
}

/** An object a manager serves: its methods by name. A method may return a promise (it waits). */
export type Methods = Readonly<Record<string, (args: readonly unknown[], context: CallContext) => unknown>>;

/** An object a manager serves, and the token its proxies must show. */
interface Served {
  readonly methods: Methods;
  readonly token: string;
}

/** What a proxy carries to reach one object: its number and its token. */
export interface ObjectAddress {
  readonly object: number;
  readonly token: string;
}

/** The caller that is this side itself (proxies used where their manager lives). */
export const LOCAL_CALLER: Caller = Object.freeze({ kind: "thread", local: true });

const noop = (): void => {};

export class ManagerServer implements CallServer {
  readonly #objects = new Map<number, Served>();
  #next = 1;
  #closed = false;
  /** Calls that wait, by caller. */
  readonly #waiting = new Map<Caller, Set<AbortController>>();

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Serves a new object; returns its number and token, which its proxies carry. The number alone
   * is a counter: without the token, a proxy made up for a neighbouring number reaches nothing.
   */
  add(methods: Methods): ObjectAddress {
    if (this.#closed) throw new ManagerClosedError();
    const address = { object: this.#next++, token: newToken() };
    this.#objects.set(address.object, { methods, token: address.token });
    return address;
  }

  call(payload: unknown, caller: Caller, done: (value: unknown) => void, fail: (error: unknown) => void): () => void {
    if (this.#closed) {
      fail(new ManagerClosedError());
      return noop;
    }
    let controller: AbortController | undefined;
    const context: CallContext = {
      caller,
      get signal() {
        return (controller ??= new AbortController()).signal;
      },
    };
    let result: unknown;
    let method = "?";
    try {
      // Checked before anything else is read: a worker's code may post a payload of its own.
      const call = (payload ?? {}) as CallPayload;
      const served = this.#objects.get(call.object);
      if (served === undefined || served.token !== call.token) {
        const object = typeof call.object === "number" ? `object ${call.object}` : "such object";
        throw new UnknownHandleError(`This Manager handed out no ${object} with that token: a proxy works only as it was passed (an argument, or inside a value received), not rebuilt from an id.`);
      }
      method = String(call.method);
      const methods = served.methods;
      if (!Object.hasOwn(methods, method)) throw new ReferenceError(`This Manager serves no method ${method}() on object ${call.object}.`);
      const args = unpack(call.args);
      result = methods[method]!(Array.isArray(args) ? args : [], context);
    } catch (error) {
      fail(error);
      return noop;
    }
    const reply = (value: unknown): void => {
      try {
        done(pack(value, caller.kind, `the result of ${method}()`, caller.local === true));
      } catch (error) {
        fail(error);
      }
    };
    if (!isThenable(result)) {
      reply(result);
      return noop;
    }
    const waiting = controller ? this.#track(caller, controller) : undefined;
    const settle = (): void => {
      if (waiting && controller) waiting.delete(controller);
    };
    result.then(
      (value) => {
        settle();
        reply(value);
      },
      (error: unknown) => {
        settle();
        fail(error);
      },
    );
    return () => controller?.abort(new AbortError("The call on the manager's object was withdrawn."));
  }

  leave(caller: Caller): void {
    const waiting = this.#waiting.get(caller);
    this.#waiting.delete(caller);
    for (const controller of waiting ?? []) controller.abort(new AbortError("The worker that made this call ended."));
  }

  /** Fails every waiting call with ManagerClosedError and drops the objects; later calls fail with it too. */
  shutdown(): void {
    if (this.#closed) return;
    this.#closed = true;
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    this.#objects.clear();
    const error = new ManagerClosedError("The Manager shut down while this call waited (for a Lock, a Queue item…); its shared items are gone.");
    for (const controllers of waiting) for (const controller of controllers) controller.abort(error);
  }

  #track(caller: Caller, controller: AbortController): Set<AbortController> {
    let waiting = this.#waiting.get(caller);
    if (!waiting) this.#waiting.set(caller, (waiting = new Set()));
    waiting.add(controller);
    return waiting;
  }
}
