/**
 * multiprocessing's Queue and Pipe: channels between the main side and threads AND processes,
 * passed as ordinary arguments, iterable with `for await`.
 */
export { Queue, JoinableQueue, type ChannelQueue, type ChannelWaitOptions, type QueueOptions } from "./queue.js";
export { Pipe, Connection } from "./pipe.js";
