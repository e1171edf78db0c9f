/**
 * multiprocessing's Queue and Pipe: channels between the main side and threads AND processes,
 * passed as ordinary arguments, iterable with `for await` — and its Manager, whose proxies
 * (dict, list, Namespace, Value, Lock, Queue) travel the same way.
 */
export { Queue, JoinableQueue, type ChannelQueue, type ChannelWaitOptions, type QueueOptions } from "./queue.js";
export { Pipe, Connection, type PipeOptions } from "./pipe.js";
export {
  Manager, BaseProxy, DictProxy, ListProxy, NamespaceProxy, ValueProxy, LockProxy, RLockProxy, QueueProxy, Holding,
  type ManagerOptions, type AcquireOptions, type DictKey, type ManagerWaitOptions, type Typecode,
} from "../manager/index.js";
