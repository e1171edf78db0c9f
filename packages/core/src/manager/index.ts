/**
 * Python's `multiprocessing.Manager`: shared dict, list, Namespace, Value, Lock, RLock and Queue
 * proxies for threads and processes; the objects live with the manager's creator.
 */
import { registerSharedType } from "../shared-handle.js";
import { PROXY_TYPE, checkRef, type BaseProxy, type ProxyRef, type ReferentType } from "./proxy.js";
import { DictProxy } from "./proxies/dict.js";
import { ListProxy } from "./proxies/list.js";
import { NamespaceProxy } from "./proxies/namespace.js";
import { ValueProxy } from "./proxies/value.js";
import { LockProxy, RLockProxy } from "./proxies/lock.js";
import { QueueProxy } from "./proxies/queue.js";

export { Manager, type ManagerOptions } from "./manager.js";
export { BaseProxy } from "./proxy.js";
export { DictProxy, ListProxy, NamespaceProxy, ValueProxy, LockProxy, RLockProxy, QueueProxy };
export { Holding } from "./proxies/holding.js";
export type { AcquireOptions } from "./proxies/lock.js";
export type { DictKey, WaitOptions as ManagerWaitOptions } from "./checks.js";
export type { Typecode } from "./typecode.js";

const PROXIES: Readonly<Record<ReferentType, new (ref: ProxyRef) => BaseProxy>> = {
  dict: DictProxy,
  list: ListProxy,
  Namespace: NamespaceProxy,
  Value: ValueProxy,
  Lock: LockProxy,
  RLock: RLockProxy,
  Queue: QueueProxy,
};

registerSharedType(PROXY_TYPE, (state) => {
  const ref = checkRef(state);
  const Proxy = Object.hasOwn(PROXIES, ref.type) ? PROXIES[ref.type] : undefined;
  if (!Proxy) throw new TypeError(`A Manager proxy of an unknown type ${JSON.stringify(ref.type)} arrived; it was not sent by this version of weft.`);
  return new Proxy(ref);
});
