/** Python's `multiprocessing.Manager()`: shared dict, list, Namespace, Value, Lock and Queue proxies. */
import { InvalidArgumentError } from "../errors.js";
import { describe } from "../options.js";
import { parseMaxsize, type QueueOptions } from "../channels/queue.js";
import { registerChannel, type ChannelAddress } from "../channels/registry.js";
import { ChannelStore } from "../channels/store.js";
import { ASYNC_DISPOSE } from "../sync/dispose.js";
import { ManagerServer, type Methods } from "./server.js";
import type { BaseProxy, ProxyRef, ReferentType } from "./proxy.js";
import { copyHere } from "./wire.js";
import { checkName, entriesOf, type DictKey } from "./checks.js";
import { parseTypecode, checkTyped, type Typecode } from "./typecode.js";
import { dictMethods } from "./referents/dict.js";
import { listMethods } from "./referents/list.js";
import { namespaceMethods } from "./referents/namespace.js";
import { valueMethods } from "./referents/value.js";
import { lockMethods } from "./referents/lock.js";
import { queueMethods } from "./referents/queue.js";
import { DictProxy } from "./proxies/dict.js";
import { ListProxy } from "./proxies/list.js";
import { NamespaceProxy } from "./proxies/namespace.js";
import { ValueProxy } from "./proxies/value.js";
import { LockProxy, RLockProxy } from "./proxies/lock.js";
import { QueueProxy } from "./proxies/queue.js";

/** `new Manager()` takes no options today; the type is kept for later ones. */
export type ManagerOptions = Record<string, never>;

/**
 * Mirrors Python's `multiprocessing.Manager()` (a started `SyncManager`): it makes shared
 * objects — `dict()`, `list()`, `Namespace()`, `Value()`, `Lock()`, `RLock()`, `Queue()` — and
 * hands out proxies to them. Pass a proxy to Pool tasks, Threads and Processes as an ordinary
 * argument; every side that holds it reaches the same object. Proxies nest: a dict may hold list
 * proxies, and a proxy read back from it on another side still works.
 *
 * ```ts
 * await using manager = new Manager();
 * const counts = manager.dict<string, number>();
 * const lock = manager.Lock();
 * await pool.map("count", words.map((w) => [counts, lock, w])); // tasks update the same dict
 * ```
 *
 * How it differs from Python:
 * - The objects live with the manager's creator (this side), not in a separate server process:
 *   workers reach them through messages to the parent, as weft's `multiprocessing.Queue` does.
 *   weft's workers always talk to the side that started them, so no server process, address or
 *   authkey is needed, and a call from a worker costs one message each way.
 * - Every proxy method is async (each call is a round trip): `await d.get(k)` for `d[k]`. The
 *   TSDoc of each proxy gives the mapping from Python's operators.
 * - Each call is atomic on the manager's side (one event loop runs them one at a time), but a
 *   read followed by a write is two calls: hold a manager `Lock()` around both to update exactly
 *   from many sides, as in Python.
 * - Values are copied on every call, as Python pickles them; dict keys are primitives.
 * - An object lives until the manager shuts down (Python frees one when its last proxy is
 *   gone; weft cannot see a proxy in another worker being dropped).
 * - A proxy works on the manager's side and in the workers that side started (not in a worker's
 *   own workers). It carries its manager's and its object's 128-bit random tokens, checked on
 *   every call: a worker reaches only the objects whose proxies it was passed, and a proxy
 *   rebuilt from an id (a neighbour's, another manager's) rejects with UnknownHandleError —
 *   Python's manager has no such per-object check.
 * - After `shutdown()` every proxy call — and every call still waiting, such as a Lock's acquire
 *   or a Queue's get — rejects with ManagerClosedError.
 * - Not provided: `register()` of custom types, `connect()`/`address`/`authkey`, and the
 *   manager's Array, Event, Condition, Semaphore, Barrier and Pool (for threads, use weft's
 *   `threading.*` over shared memory).
 */
export class Manager implements AsyncDisposable {
  readonly #server = new ManagerServer();
  readonly #address: ChannelAddress;

  constructor(options?: ManagerOptions) {
    if (options !== undefined && (typeof options !== "object" || options === null || Object.keys(options).length > 0)) {
      const what = typeof options === "object" && options !== null ? `the option${Object.keys(options).length > 1 ? "s" : ""} ${Object.keys(options).map((k) => JSON.stringify(k)).join(", ")}` : describe(options);
      throw new InvalidArgumentError(`new Manager() takes no options (Python's address and authkey have no use here: the objects live with the manager's creator); got ${what}.`);
    }
    this.#address = registerChannel({ owner: this, server: this.#server });
  }

  /** True once {@link shutdown} was called. */
  get closed(): boolean {
    return this.#server.closed;
  }

  /** Python's `manager.dict(initial)`: a shared dict, from a Map, [key, value] pairs or a plain object. */
  dict<K extends DictKey = string, V = unknown>(initial?: ReadonlyMap<K, V> | Iterable<readonly [K, V]> | Record<string & K, V>): DictProxy<K, V> {
    const entries = copyHere(entriesOf(initial, "manager.dict()"), "manager.dict(): initial") as [K, V][];
    return this.#make(DictProxy, "dict", dictMethods(new Map(entries))) as DictProxy<K, V>;
  }

  /** Python's `manager.list(initial)`: a shared list. */
  list<T = unknown>(initial?: Iterable<T>): ListProxy<T> {
    if (initial !== undefined && (initial === null || typeof (initial as Partial<Iterable<T>>)[Symbol.iterator] !== "function")) {
      throw new InvalidArgumentError(`manager.list(): pass an iterable of items (or nothing), got ${describe(initial)}.`);
    }
    const items = copyHere(Array.from(initial ?? []), "manager.list(): initial") as T[];
    return this.#make(ListProxy, "list", listMethods(items)) as ListProxy<T>;
  }

  /** Python's `manager.Namespace(**attributes)`: shared named attributes. */
  Namespace<T extends Record<string, unknown> = Record<string, unknown>>(attributes?: NoInfer<Partial<T>>): NamespaceProxy<T> {
    if (attributes !== undefined && (typeof attributes !== "object" || attributes === null || Array.isArray(attributes))) {
      throw new InvalidArgumentError(`manager.Namespace(): pass the attributes as a plain object (or nothing), got ${describe(attributes)}.`);
    }
    const names = Object.keys(attributes ?? {}).map((name) => checkName(name, "manager.Namespace()"));
    const copy = copyHere(attributes ?? {}, "manager.Namespace(): attributes") as Record<string, unknown>;
    return this.#make(NamespaceProxy, "Namespace", namespaceMethods(new Map(names.map((name) => [name, copy[name]])))) as NamespaceProxy<T>;
  }

  /**
   * Python's `manager.Value(typecode, value)`. The typecode is Python's letter (`"i"`, `"d"`…) or
   * weft's kind (`"int32"`, `"float64"`…), and weft checks every value against it (Python does
   * not); `null`, or a single argument (`manager.Value(value)`), holds any value.
   */
  Value<T>(value: T): ValueProxy<T>;
  Value<T = number>(typecode: Typecode | null, value: T): ValueProxy<T>;
  Value(...args: unknown[]): ValueProxy {
    if (args.length !== 1 && args.length !== 2) {
      throw new InvalidArgumentError(`manager.Value(typecode, value) takes 1 or 2 arguments, got ${args.length}.`);
    }
    const kind = args.length === 2 && args[0] !== null ? parseTypecode(args[0], "manager.Value()") : null;
    const initial = checkTyped(kind, copyHere(args[args.length - 1], "manager.Value(): value"), "manager.Value()");
    return this.#make(ValueProxy, "Value", valueMethods(kind, initial), kind) as ValueProxy;
  }

  /** Python's `manager.Lock()`: a lock shared by threads and processes (not owned; any side may release it). */
  Lock(): LockProxy {
    return this.#make(LockProxy, "Lock", lockMethods(false)) as LockProxy;
  }

  /** Python's `manager.RLock()`: a reentrant lock, owned by the side (worker or this side) that acquired it. */
  RLock(): RLockProxy {
    return this.#make(RLockProxy, "RLock", lockMethods(true)) as RLockProxy;
  }

  /** Python's `manager.Queue(maxsize)`: a FIFO shared by threads and processes (0, the default: unbounded). */
  Queue<T = unknown>(maxsize?: number | QueueOptions): QueueProxy<T> {
    const bound = parseMaxsize(maxsize, "manager.Queue()");
    return this.#make(QueueProxy, "Queue", queueMethods(new ChannelStore<unknown>(bound, "manager Queue")), bound) as QueueProxy<T>;
  }

  /** Python's `manager.JoinableQueue(maxsize)`: the same queue as {@link Queue} (it has `taskDone` and `join`). */
  JoinableQueue<T = unknown>(maxsize?: number | QueueOptions): QueueProxy<T> {
    return this.Queue<T>(maxsize);
  }

  /**
   * Python's `manager.shutdown()`: drops every object. Calls still waiting (a Lock's acquire, a
   * Queue's get) reject with ManagerClosedError, on every side, and so does every later proxy
   * call. Idempotent.
   */
  async shutdown(): Promise<void> {
    this.#server.shutdown();
  }

  declare [Symbol.asyncDispose]: () => Promise<void>;

  #make(Proxy: new (ref: ProxyRef) => BaseProxy, type: ReferentType, methods: Methods, info?: unknown): BaseProxy {
    const { object, token } = this.#server.add(methods);
    const ref: ProxyRef = { manager: this.#address, object, token, type };
    return new Proxy(info === undefined ? ref : { ...ref, info });
  }
}

// On the prototype under ASYNC_DISPOSE, so that `await using manager = new Manager()` works where
// the runtime lacks Symbol.asyncDispose (Node 20 with down-levelled `await using`).
Object.defineProperty(Manager.prototype, ASYNC_DISPOSE, {
  value: function asyncDispose(this: Manager): Promise<void> {
    return this.shutdown();
  },
  writable: true,
  configurable: true,
});
