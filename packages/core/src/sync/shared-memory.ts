/**
 * Allocating the shared memory a primitive lives in, and checking the memory a descriptor
 * claims when a primitive is revived on another thread.
 */
import { InvalidArgumentError, SharedMemoryUnavailableError } from "../errors.js";

/** The shared state every primitive's descriptor carries: where its memory is. */
export interface MemoryState {
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
}

/** Explains why shared memory is missing and how to get it (in a browser: cross-origin isolation). */
export function sharedMemoryUnavailable(what: string): SharedMemoryUnavailableError {
  return new SharedMemoryUnavailableError(
    `${what} needs SharedArrayBuffer, which this context does not provide. In a browser, SharedArrayBuffer ` +
      "exists only on cross-origin isolated pages: send the headers `Cross-Origin-Opener-Policy: same-origin` " +
      "and `Cross-Origin-Embedder-Policy: require-corp` with the page (check `self.crossOriginIsolated`).",
  );
}

/** A zeroed SharedArrayBuffer of `byteLength` bytes, or SharedMemoryUnavailableError naming `what`. */
export function allocateShared(byteLength: number, what: string): SharedArrayBuffer {
  const SAB = (globalThis as { SharedArrayBuffer?: typeof SharedArrayBuffer }).SharedArrayBuffer;
  if (typeof SAB !== "function") throw sharedMemoryUnavailable(what);
  return new SAB(byteLength);
}

/** Checks a revived descriptor's state: a SharedArrayBuffer and an aligned offset with `byteLength` bytes after it. */
export function checkMemoryState(state: unknown, type: string, byteLength: number): MemoryState {
  const SAB = (globalThis as { SharedArrayBuffer?: typeof SharedArrayBuffer }).SharedArrayBuffer;
  if (typeof SAB !== "function") throw sharedMemoryUnavailable(type);
  const candidate = state as Partial<MemoryState> | null;
  if (typeof candidate !== "object" || candidate === null || !(candidate.buffer instanceof SAB)) {
    throw new InvalidArgumentError(`Cannot revive ${type}: its descriptor does not hold a SharedArrayBuffer.`);
  }
  const { buffer, byteOffset } = candidate;
  if (typeof byteOffset !== "number" || !Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % 4 !== 0 || byteOffset + byteLength > buffer.byteLength) {
    throw new InvalidArgumentError(`Cannot revive ${type}: offset ${String(byteOffset)} does not leave ${byteLength} bytes in its ${buffer.byteLength}-byte buffer.`);
  }
  return { buffer, byteOffset };
}

/** An object with `proto` as prototype and `fields` as own properties: how revivers build an instance without allocating. */
export function adopt<T extends object>(proto: T, fields: object): T {
  return Object.assign(Object.create(proto) as T, fields);
}
