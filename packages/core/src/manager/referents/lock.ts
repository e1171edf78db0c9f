/**
 * The object behind a manager's Lock and RLock proxies. A Lock has no owner (any side may release
 * it, as Python's threading.Lock); an RLock is owned by the side that acquired it — one worker, or
 * the manager's own side — and that side may acquire it again. Waiters get the lock in the order
 * they asked.
 */
import { callAt, now, onAbort } from "../../asyncio/internal.js";
import type { Caller } from "../../channels/registry.js";
import { NotOwnerError } from "../../sync/errors.js";
import type { CallContext, Methods } from "../server.js";

interface Waiter {
  readonly caller: Caller;
  grant(): void;
}

export function lockMethods(reentrant: boolean): Methods {
  const name = reentrant ? "RLock" : "Lock";
  let owner: Caller | undefined;
  let depth = 0;
  const waiters: Waiter[] = [];

  const acquire = ([blocking, timeout]: readonly unknown[], context: CallContext): boolean | Promise<boolean> => {
    const caller = context.caller;
    if (depth === 0 || (reentrant && owner === caller)) {
      owner = caller;
      depth++;
      return true;
    }
    if (blocking === false || timeout === 0) return false;
    // Only a call that waits asks for its signal (made on demand).
    const signal = context.signal;
    return new Promise<boolean>((resolve, reject) => {
      const cleanups: (() => void)[] = [];
      const leave = (): boolean => {
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        cleanups.forEach((cleanup) => cleanup());
        return i >= 0;
      };
      const waiter: Waiter = {
        caller,
        grant: () => {
          leave();
          owner = caller;
          depth = 1;
          resolve(true);
        },
      };
      if (typeof timeout === "number" && Number.isFinite(timeout)) cleanups.push(callAt(now() + timeout, () => leave() && resolve(false)));
      cleanups.push(onAbort(signal, () => leave() && reject(signal.reason)));
      waiters.push(waiter);
    });
  };

  const release = (_args: readonly unknown[], { caller }: CallContext): void => {
    if (depth === 0) throw new NotOwnerError(`release unlocked lock: this manager ${name} is not locked.`);
    if (reentrant && owner !== caller) throw new NotOwnerError("cannot release un-acquired lock: this manager RLock is held by another side.");
    if (--depth > 0) return;
    owner = undefined;
    waiters[0]?.grant();
  };

  return { acquire, release, locked: () => depth > 0 };
}
