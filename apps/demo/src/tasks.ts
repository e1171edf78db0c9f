/**
 * The demo's task module. Workers (threads and processes, on every runtime and in the browser)
 * import it by URL and call its exports by name, as Python's multiprocessing imports a target's
 * module. It imports nothing at run time (the `import type` lines vanish when it is built), so the
 * built `dist/tasks.js` loads anywhere.
 */
import type { Value, threading } from "weftjs";

// ----- CPU-bound ----------------------------------------------------------------------------

/** How many primes lie in [from, to), by trial division: pure computation, no waiting. */
export function countPrimes(from: number, to: number): number {
  let count = 0;
  for (let n = Math.max(2, from); n < to; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

// ----- I/O-bound ----------------------------------------------------------------------------

/** One request to the demo's loopback server, which answers after a delay: pure waiting. */
export async function fetchText(url: string): Promise<number> {
  const response = await fetch(url);
  const body = await response.text();
  return body.length;
}

/** Waits `ms` (the timed-sleep form of an I/O wait). */
export function wait(ms: number): Promise<number> {
  return new Promise((resolve) => setTimeout(() => resolve(ms), ms));
}

/** Starts a worker and does nothing: used to bring every worker of a pool up before timing. */
export function noop(): number {
  return 0;
}

// ----- the race (guide lesson 3) --------------------------------------------------------------

/**
 * The race's three loops each return how long their loop took (ms), timed from the barrier.
 *
 * `counter = counter + 1`, unguarded: a read and a write that other threads can interleave. */
export function incrementUnlocked(counter: Value<"int32">, start: threading.Barrier, times: number): number {
  start.waitSync();
  const began = performance.now();
  for (let i = 0; i < times; i++) counter.store(counter.load() + 1);
  return performance.now() - began;
}

/** The same read-modify-write, inside a Lock: exact, at the price of acquiring it every time. */
export function incrementLocked(counter: Value<"int32">, start: threading.Barrier, times: number, lock: threading.Lock): number {
  start.waitSync();
  const began = performance.now();
  for (let i = 0; i < times; i++) {
    lock.acquireSync();
    try {
      counter.store(counter.load() + 1);
    } finally {
      lock.release();
    }
  }
  return performance.now() - began;
}

/** One atomic add (Atomics.add): exact without a lock. */
export function incrementAtomic(counter: Value<"int32">, start: threading.Barrier, times: number): number {
  start.waitSync();
  const began = performance.now();
  for (let i = 0; i < times; i++) counter.add(1);
  return performance.now() - began;
}

/** A process shares nothing: it counts on its own and sends its count back (a copy). */
export function incrementPrivate(times: number): number {
  let counter = 0;
  for (let i = 0; i < times; i++) counter = counter + 1;
  return counter;
}

// ----- embedding (a server's client, run on a thread so that it is never blocked by the server) --

export interface ProbeReport {
  heavyMs: number;
  heavyAnswers: number;
  latencies: number[];
}

/**
 * Sends `heavy` concurrent requests to `${base}/heavy` and, until they have all been answered,
 * requests `${base}/cheap` every `everyMs` and records how long each took.
 */
export async function loadAndProbe(base: string, heavy: number, everyMs: number): Promise<ProbeReport> {
  const started = performance.now();
  let done = false;
  const heavyDone = Promise.all(Array.from({ length: heavy }, (_, i) => fetch(`${base}/heavy?i=${i}`).then((r) => r.text())));
  heavyDone.then(
    () => (done = true),
    () => (done = true),
  );
  const latencies: number[] = [];
  // Probe at least once, even if the heavy requests are fast.
  do {
    const sent = performance.now();
    await (await fetch(`${base}/cheap`)).text();
    latencies.push(performance.now() - sent);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  } while (!done);
  const answers = await heavyDone;
  return { heavyMs: performance.now() - started, heavyAnswers: answers.length, latencies };
}

// ----- the browser picture --------------------------------------------------------------------

/**
 * Renders rows [y0, y1) of a width × height Mandelbrot picture as RGBA pixels. CPU-bound, and
 * uneven: rows through the set cost far more than rows outside it.
 */
export function mandelbrotRows(width: number, height: number, y0: number, y1: number, maxIter: number): Uint8ClampedArray {
  const pixels = new Uint8ClampedArray(width * (y1 - y0) * 4);
  const scale = 3 / width;
  for (let y = y0; y < y1; y++) {
    const ci = (y - height / 2) * scale;
    for (let x = 0; x < width; x++) {
      const cr = (x - width * 0.65) * scale;
      let zr = 0;
      let zi = 0;
      let i = 0;
      while (i < maxIter && zr * zr + zi * zi <= 4) {
        const t = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = t;
        i++;
      }
      const o = ((y - y0) * width + x) * 4;
      if (i === maxIter) {
        pixels[o] = pixels[o + 1] = pixels[o + 2] = 0;
      } else {
        const s = Math.sqrt(i / maxIter);
        pixels[o] = 255 * Math.min(1, s * 1.6);
        pixels[o + 1] = 255 * s;
        pixels[o + 2] = 255 * Math.min(1, 0.35 + s);
      }
      pixels[o + 3] = 255;
    }
  }
  return pixels;
}

/** Which worker ran a task: each worker imports this module once, so each gets its own tag. */
const WORKER_TAG = Math.random().toString(36).slice(2, 8);

/** One band of the picture and the tag of the worker that rendered it (the page colours tiles by worker). */
export function mandelbrotBand(width: number, height: number, y0: number, y1: number, maxIter: number): { worker: string; pixels: Uint8ClampedArray } {
  return { worker: WORKER_TAG, pixels: mandelbrotRows(width, height, y0, y1, maxIter) };
}
