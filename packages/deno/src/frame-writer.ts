/** Paces frames (see wire.ts) into a byte stream whose writes complete later. */
import { joinChunks } from "./frame-reader.js";

/** Frames out over a byte stream whose writes complete later: see {@link frameWriter}. */
export interface FrameWriter {
  /** Queues a frame; `sent` runs once it has left, or once the stream failed. */
  send(frame: Uint8Array, sent?: () => void): void;
  /** Settles once every queued frame has left (or failed); undefined when none waits. */
  whenSent(): Promise<void> | undefined;
}

/**
 * Sends frames over a byte stream whose writes complete later (a child's stdin, a socket).
 * Frames sent while a write is under way wait, then leave together in the next one: a busy event
 * loop turns rarely, and one write per frame would hold each later frame back a turn. A failed
 * write counts as sent: the other side is gone, and the worker's exit settles what it held.
 *
 * `start` says when a write begins: "turn" waits for the end of the current turn, so that frames
 * sent in one turn leave in one write (the parent, which sends many); "now" begins at once — a
 * Deno socket write is tried on the spot, so a frame leaves even if a task then never yields.
 */
export function frameWriter(writeAll: (bytes: Uint8Array) => Promise<unknown>, start: "turn" | "now"): FrameWriter {
  let frames: Uint8Array[] = [];
  let callbacks: (() => void)[] = [];
  let writing = false;
  let idle: { promise: Promise<void>; resolve: () => void } | undefined;
  const drain = async () => {
    writing = true;
    while (frames.length > 0) {
      const bytes = joinChunks(frames);
      const done = callbacks;
      frames = [];
      callbacks = [];
      await writeAll(bytes).catch(() => undefined);
      for (const sent of done) sent();
    }
    writing = false;
    idle?.resolve();
    idle = undefined;
  };
  return {
    send(frame, sent) {
      const begin = frames.length === 0 && !writing;
      frames.push(frame);
      if (sent) callbacks.push(sent);
      if (!begin) return;
      if (start === "now") void drain();
      else queueMicrotask(drain);
    },
    whenSent() {
      if (frames.length === 0 && !writing) return undefined;
      if (!idle) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        idle = { promise, resolve };
      }
      return idle.promise;
    },
  };
}
