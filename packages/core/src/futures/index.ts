/**
 * Python's `concurrent.futures`, as `concurrent.futures` (`import { concurrent } from "weftjs"`):
 * ThreadPoolExecutor and ProcessPoolExecutor over weft's Pool, the Future they return, and
 * `wait` / `asCompleted` over those futures. asyncio's `wait` / `asCompleted` (top level and
 * `asyncio.*`) are the other pair: for asyncio Tasks and promises, on one event loop.
 */
export { Executor, ThreadPoolExecutor, ProcessPoolExecutor, type ExecutorOptions, type ExecutorMapOptions, type ShutdownOptions } from "./executor.js";
export {
  wait, asCompleted, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED,
  type ReturnWhen, type FuturesWaitOptions, type FuturesAsCompletedOptions, type DoneAndNotDoneFutures, type CompletedFuture,
} from "./waiting.js";
export { Future, type FutureState } from "../future.js";
export { TimeoutError, InvalidStateError } from "../errors.js";
/** weft's cancellation error: what a cancelled future throws (Python's `concurrent.futures.CancelledError`). */
export { AbortError as CancelledError } from "../errors.js";
