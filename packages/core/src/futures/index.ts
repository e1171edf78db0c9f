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
import type { FutureState as State } from "../future.js";
export { Future } from "../future.js";
// A local alias, not a re-export: the declaration bundler turned a re-exported type inside this
// namespace into a value (`typeof FutureState`), which a checker without skipLibCheck rejects.
export type FutureState = State;
export { TimeoutError, InvalidStateError } from "../errors.js";
/** weft's cancellation error: what a cancelled future throws (Python's `concurrent.futures.CancelledError`). */
export { AbortError as CancelledError } from "../errors.js";
