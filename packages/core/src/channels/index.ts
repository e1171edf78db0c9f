/**
 * multiprocessing's Queue and Pipe: channels between the main side and threads AND processes,
 * passed as ordinary arguments, iterable with `for await`.
 */
export { Queue, type ChannelQueue, type ChannelWaitOptions } from "./queue.js";
export { Pipe, Connection } from "./pipe.js";
