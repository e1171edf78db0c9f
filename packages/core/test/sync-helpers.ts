// Shared by the sync-*.test.ts files (not a test file itself).
const IN_WORKER = Symbol.for("weft.inWorker");

/** Runs `body` with the in-worker flag set (as the weft worker bootstrap does), then restores it. */
export async function asWorker<T>(body: () => T | Promise<T>): Promise<T> {
  const g = globalThis as Record<symbol, unknown>;
  const had = Object.hasOwn(g, IN_WORKER);
  const before = g[IN_WORKER];
  g[IN_WORKER] = true;
  try {
    return await body();
  } finally {
    if (had) g[IN_WORKER] = before;
    else delete g[IN_WORKER];
  }
}

/** Runs `body` with Atomics.waitAsync removed, so that the polling fallback is used. */
export async function withoutWaitAsync<T>(body: () => Promise<T>): Promise<T> {
  const atomics = Atomics as { waitAsync?: unknown };
  const saved = atomics.waitAsync;
  delete atomics.waitAsync;
  try {
    return await body();
  } finally {
    atomics.waitAsync = saved;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Lets other tasks run (several macrotask turns). */
export const turns = async (n = 3) => {
  for (let i = 0; i < n; i++) await sleep(0);
};

/** Both ways async waits run: Atomics.waitAsync, and the polling fallback. */
export const WAIT_MODES = [
  ["waitAsync", <T>(body: () => Promise<T>) => body()],
  ["polling fallback", withoutWaitAsync],
] as const;
