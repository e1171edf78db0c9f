/**
 * How shared-memory objects (locks, values, channels…) cross to a thread as ordinary arguments:
 * each one describes itself as plain data over its SharedArrayBuffer(s), and the receiving side
 * revives an object of the same type over the same memory.
 */

/** The method an object implements to be passed to workers as a shared handle. */
export const SHARED_HANDLE: unique symbol = Symbol.for("weft.sharedHandle") as never;

/** Plain, structured-clone data that identifies a shared object and its memory. */
export interface SharedDescriptor {
  readonly type: string;
  readonly state: unknown;
  /**
   * True for objects that work by messages through the parent (channels), which may therefore
   * cross to a process; false or absent for objects over shared memory, which a process refuses.
   */
  readonly crossesProcesses?: boolean;
}

export interface SharedHandle {
  [SHARED_HANDLE](): SharedDescriptor;
}

type Reviver = (state: unknown) => unknown;
const REVIVERS_KEY = Symbol.for("weft.sharedRevivers");

// Kept on globalThis so that two copies of the core (one bundled in a task module, one in the
// worker bootstrap) share one registry.
function revivers(): Map<string, Reviver> {
  const holder = globalThis as unknown as Record<symbol, Map<string, Reviver> | undefined>;
  return (holder[REVIVERS_KEY] ??= new Map());
}

/** Registers how to revive a shared type on the receiving side. Idempotent. */
export function registerSharedType(type: string, revive: Reviver): void {
  revivers().set(type, revive);
}

export function isSharedHandle(value: object): value is SharedHandle {
  return typeof (value as Partial<SharedHandle>)[SHARED_HANDLE] === "function";
}

export function reviveShared(descriptor: SharedDescriptor): unknown {
  const revive = revivers().get(descriptor.type);
  if (!revive) {
    throw new TypeError(`No reviver is registered for the shared type "${descriptor.type}"; import @weft/core in the worker.`);
  }
  return revive(descriptor.state);
}
