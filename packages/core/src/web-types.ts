/**
 * The few web-platform types weft's public API mentions, spelled so that a project compiled
 * without the DOM library (a Node program with `lib: ["es2024"]` and `skipLibCheck: false`)
 * type-checks weft's declarations too.
 */

/** What a transfer list may move: ArrayBuffers (and MessagePorts, where the runtime has them). The DOM's `Transferable`. */
export type TransferableObject = ArrayBuffer | object;

/** A listener of a pool's events: a function, or an object with `handleEvent`. */
export type PoolListener = ((event: Event) => void) | { handleEvent(event: Event): void };

/** The options `addEventListener` takes. */
export interface ListenerOptions {
  readonly capture?: boolean;
  readonly once?: boolean;
  readonly passive?: boolean;
  readonly signal?: AbortSignal;
}
