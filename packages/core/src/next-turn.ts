/**
 * The next turn of the event loop, after the microtasks of this one: setImmediate where the
 * runtime has it (Node, Deno, Bun), a MessageChannel in a browser worker, else setTimeout.
 */
const setImmediateGlobal = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;

/** Calls `callback` on the next turn of the event loop. */
export const onNextTurn: (callback: () => void) => void =
  typeof setImmediateGlobal === "function"
    ? (callback) => void setImmediateGlobal(callback)
    : typeof MessageChannel === "function"
      ? (() => {
          const channel = new MessageChannel();
          const callbacks: (() => void)[] = [];
          channel.port1.onmessage = () => callbacks.shift()?.();
          return (callback: () => void) => {
            callbacks.push(callback);
            channel.port2.postMessage(null);
          };
        })()
      : (callback) => void setTimeout(callback, 0);

/**
 * Resolves on the next turn of the event loop, after every promise continuation queued in this
 * one. For loops that must not run ahead of everyone else: an adapter's reader of a transport
 * whose reads can resolve without a turn (Deno's pipes), a producer that never waits.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => onNextTurn(resolve));
}
