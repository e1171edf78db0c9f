/**
 * The id of the current thread (realm), which RLock records as its owner: a non-zero int32 kept
 * on `globalThis[Symbol.for("weft.threadId")]`.
 *
 * Ids come from one process-wide counter in shared memory: the root realm creates it (and takes
 * id 1); a parent allocates each child's id with {@link prepareThreadBootstrap} and passes the
 * result to the child, whose bootstrap calls {@link installThreadBootstrap} before any user code.
 * A worker started without that data takes a random negative id (positive ids are the counter's).
 */
import { mayBlock } from "./blocking.js";

const THREAD_ID = Symbol.for("weft.threadId");
const COUNTER = Symbol.for("weft.threadIdCounter");

type Globals = Record<symbol, unknown>;

/** What a parent hands to a thread it spawns (plain data; structured-clone it to the child). */
export interface ThreadBootstrapData {
  /** The child's thread id. */
  readonly threadId: number;
  /** The process-wide id counter, so that the child can allocate ids for its own children. */
  readonly threadIdCounter?: SharedArrayBuffer;
}

function isThreadId(value: unknown): value is number {
  return typeof value === "number" && value !== 0 && (value | 0) === value;
}

function randomId(): number {
  return -1 - Math.floor(Math.random() * 0x7ffffffe);
}

function counter(create: boolean): Int32Array | undefined {
  const g = globalThis as Globals;
  const existing = g[COUNTER];
  if (typeof SharedArrayBuffer === "function" && existing instanceof SharedArrayBuffer && existing.byteLength >= 4) {
    return new Int32Array(existing, 0, 1);
  }
  if (!create || typeof SharedArrayBuffer !== "function") return undefined;
  const buffer = new SharedArrayBuffer(4);
  g[COUNTER] = buffer;
  return new Int32Array(buffer, 0, 1);
}

function nextId(cells: Int32Array | undefined): number {
  if (cells === undefined) return randomId();
  const id = Atomics.add(cells, 0, 1) + 1;
  return id > 0 ? id : randomId(); // after 2³¹ threads, fall back to random ids
}

/** This thread's id (allocated on first use: id 1 for the root realm, a random negative id in a worker started without bootstrap data). */
export function currentThreadId(): number {
  const g = globalThis as Globals;
  const id = g[THREAD_ID];
  if (isThreadId(id)) return id;
  // A worker must not start a counter of its own: its ids would repeat the root's.
  const fresh = nextId(counter(!mayBlock()));
  g[THREAD_ID] = fresh;
  return fresh;
}

/** Parent side, before spawning a thread: the child's id and the shared counter, to pass to the child. */
export function prepareThreadBootstrap(): ThreadBootstrapData {
  currentThreadId(); // the parent takes its own id first
  const cells = counter(true);
  const threadId = nextId(cells);
  return cells === undefined ? { threadId } : { threadId, threadIdCounter: cells.buffer as SharedArrayBuffer };
}

/** Child side, in the worker bootstrap before any user code: adopts the id and counter the parent prepared. */
export function installThreadBootstrap(data: ThreadBootstrapData): void {
  const g = globalThis as Globals;
  if (!isThreadId(data.threadId)) throw new TypeError(`installThreadBootstrap: ${String(data.threadId)} is not a non-zero int32 thread id.`);
  g[THREAD_ID] = data.threadId;
  if (data.threadIdCounter !== undefined) g[COUNTER] = data.threadIdCounter;
}
