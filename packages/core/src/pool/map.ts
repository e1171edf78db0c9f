/**
 * map, starmap, imap and imapUnordered as functions over a pool's submit: chunking (Python's
 * chunksize rule), ordered assembly, and imap's bounded buffer of chunks in flight.
 */
import { AbortError, InvalidArgumentError } from "../errors.js";
import type { Future } from "../future.js";
import { markFreshArray } from "../codec/shapes.js";
import { checkCount, checkKnownKeys } from "../options.js";
import type { TaskOptions } from "./submission.js";
import type { PoolErrorDetail } from "./worker-slot.js";

/** Options of `map`, `starmap`, `imap` and `imapUnordered`. */
export interface MapOptions {
  /** Items per task. `map`/`starmap` default to Python's choice (about 4 chunks per worker); `imap` defaults to 1. */
  readonly chunksize?: number;
  /** Cancels every chunk not yet finished. */
  readonly signal?: AbortSignal;
  /** Run timeout of each chunk (ms). */
  readonly timeout?: number;
  /**
   * Called each time a chunk completes, with the items done so far out of the total. For `imap`
   * over an iterable whose length is unknown, `total` is undefined until the input has ended.
   * A callback that throws does not stop the map: the error is reported as the pool's "error"
   * event (`detail: { source: "onProgress", error }`). The task's own `currentTask().progress()`
   * values are not delivered for map chunks. Python's map has no progress.
   */
  onProgress?(progress: MapProgress): void;
}

/** What a map's `onProgress` receives. */
export interface MapProgress {
  /** Items whose chunk has completed. */
  readonly done: number;
  /** Items in all; undefined while an `imap` input has not ended. */
  readonly total: number | undefined;
}

/** Options of `imap` and `imapUnordered`. */
export interface ImapOptions extends MapOptions {
  /** Most chunks submitted and not yet consumed (the bounded buffer). Default: twice the pool size. */
  readonly buffer?: number;
}

/** Submits one chunk: runs the task on each item of `chunk` (spread as arguments for starmap). */
export type SubmitChunk = (chunk: unknown[], options: TaskOptions) => Future<unknown>;

const MAP_OPTION_KEYS = ["chunksize", "signal", "timeout", "onProgress"] as const;

/**
 * Where a throwing `onProgress` goes when the caller gives no reporter: nowhere. Pool reports it
 * as its "error" event; a pool over another transport that offers `onProgress` should pass one.
 */
const dropReport = (): void => undefined;

/** Counts a map's completed items for its `onProgress`; a throwing callback is reported, never thrown. */
class ProgressCounter {
  done = 0;
  total: number | undefined;
  readonly #callback: ((progress: MapProgress) => void) | undefined;
  readonly #report: (detail: PoolErrorDetail) => void;

  constructor(callback: unknown, report: (detail: PoolErrorDetail) => void) {
    if (callback !== undefined && typeof callback !== "function") {
      throw new InvalidArgumentError(`The map option onProgress must be a function (called with { done, total }); got ${callback === null ? "null" : typeof callback}.`);
    }
    this.#callback = callback as ((progress: MapProgress) => void) | undefined;
    this.#report = report;
  }

  /** `items` more are done. */
  add(items: number): void {
    this.done += items;
    this.#tell();
  }

  /** The input ended with `total` items; says so once more if they are all done already. */
  ended(total: number): void {
    this.total = total;
    if (this.done === total) this.#tell();
  }

  #tell(): void {
    if (!this.#callback) return;
    try {
      this.#callback({ done: this.done, total: this.total });
    } catch (error) {
      this.#report({ source: "onProgress", error });
    }
  }
}
const IMAP_OPTION_KEYS = [...MAP_OPTION_KEYS, "buffer"] as const;

/**
 * Python's `Pool.map`: results in input order. If a chunk fails, rejects — once every chunk has
 * run to its end, as in Python — with the first error in input order (Python keeps the first in
 * time; input order makes the error the same from run to run).
 */
export async function mapChunks(
  submit: SubmitChunk,
  items: Iterable<unknown>,
  poolSize: number,
  options: MapOptions | undefined,
  report: (detail: PoolErrorDetail) => void = dropReport,
): Promise<unknown[]> {
  checkKnownKeys(options, MAP_OPTION_KEYS, "map options");
  const progress = new ProgressCounter(options?.onProgress, report);
  if (items === null || typeof (items as Iterable<unknown>)?.[Symbol.iterator] !== "function") {
    throw new InvalidArgumentError(`map() takes an iterable of items; got ${items === null ? "null" : typeof items}.`);
  }
  const list = Array.isArray(items) ? (items as unknown[]) : Array.from(items);
  // Python's Pool.map: about four chunks per worker.
  const chunksize = checkCount(options?.chunksize, "chunksize", 1) ?? Math.max(1, Math.ceil(list.length / (poolSize * 4)));
  const chunkOptions: TaskOptions = { signal: options?.signal, timeout: options?.timeout };
  const futures: Future<unknown>[] = [];
  progress.total = list.length;
  for (let i = 0; i < list.length; i += chunksize) {
    // A slice has only index properties: the encoder need not list its keys.
    const chunk = markFreshArray(list.slice(i, i + chunksize));
    const future = submit(chunk, chunkOptions);
    future.then(() => progress.add(chunk.length), () => undefined);
    futures.push(future);
  }
  // Every chunk runs to its end, as in Python; the error is the first in input order, not in time.
  const settled = await Promise.allSettled(futures);
  const results = new Array<unknown>(list.length);
  let at = 0;
  for (const outcome of settled) {
    if (outcome.status === "rejected") throw outcome.reason;
    const chunk = outcome.value as unknown[];
    for (let i = 0; i < chunk.length; i++) results[at++] = chunk[i];
  }
  return results;
}

/**
 * Python's `imap` (ordered) and `imap_unordered`: lazily over a possibly endless, possibly async
 * iterable, with at most `buffer` chunks in flight; leaving the loop early cancels them.
 */
export async function* imapChunks(
  submit: SubmitChunk,
  items: Iterable<unknown> | AsyncIterable<unknown>,
  ordered: boolean,
  poolSize: number,
  options: ImapOptions | undefined,
  report: (detail: PoolErrorDetail) => void = dropReport,
): AsyncGenerator<unknown, void, undefined> {
  checkKnownKeys(options, IMAP_OPTION_KEYS, "imap options");
  const progress = new ProgressCounter(options?.onProgress, report);
  const chunksize = checkCount(options?.chunksize, "chunksize", 1) ?? 1;
  const buffer = checkCount(options?.buffer, "buffer", 1) ?? poolSize * 2;
  const isAsync = items != null && typeof (items as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
  if (!isAsync && (items == null || typeof (items as Iterable<unknown>)[Symbol.iterator] !== "function")) {
    throw new InvalidArgumentError(`imap() takes an iterable or async iterable of items; got ${items === null ? "null" : typeof items}.`);
  }
  const source = isAsync ? (items as AsyncIterable<unknown>)[Symbol.asyncIterator]() : (items as Iterable<unknown>)[Symbol.iterator]();
  const chunkOptions: TaskOptions = { signal: options?.signal, timeout: options?.timeout };
  const inFlight: Future<unknown>[] = [];
  const finished: Future<unknown>[] = [];
  let wake: (() => void) | undefined;
  let exhausted = false;
  let read = 0;
  const refill = async () => {
    while (!exhausted && inFlight.length < buffer) {
      const chunk: unknown[] = [];
      while (chunk.length < chunksize) {
        const step = await source.next();
        if (step.done) {
          exhausted = true;
          progress.ended(read);
          break;
        }
        read++;
        chunk.push(step.value);
      }
      if (chunk.length === 0) break;
      const future = submit(chunk, chunkOptions);
      future.then(() => progress.add(chunk.length), () => undefined);
      inFlight.push(future);
      if (!ordered) {
        // then(), not addDoneCallback: a failed chunk must count as handled until it is consumed.
        const settle = () => {
          finished.push(future);
          wake?.();
        };
        future.then(settle, settle);
      }
    }
  };
  try {
    await refill();
    while (inFlight.length > 0) {
      let next: Future<unknown>;
      if (ordered) {
        next = inFlight[0]!;
        await next.then(() => undefined, () => undefined);
      } else {
        while (finished.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        next = finished.shift()!;
      }
      inFlight.splice(inFlight.indexOf(next), 1);
      const results = (await next) as unknown[];
      await refill();
      yield* results;
    }
  } finally {
    for (const future of inFlight) future.cancel(new AbortError("The imap consumer stopped before this chunk was used."));
    if (!exhausted) await source.return?.();
  }
}
