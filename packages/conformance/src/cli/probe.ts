/**
 * Before the suite, one trivial task per worker kind: an adapter whose workers of a kind cannot
 * run anything (they never become ready, or cannot start) would make every case of that kind wait
 * out its own timeout, 30–120 s each, and fail saying only "timed out". Runtime-neutral.
 */
import { Pool, type Adapter, type WorkerKind } from "@weft/core";

/** As long as a case may take by default: a kind that cannot run `2 + 3` in that time cannot pass a case either. */
export const PROBE_TIMEOUT_MS = 30_000;

/** Why `kind` workers of `adapter` cannot run a trivial task within `timeoutMs`, or undefined when they can. */
export async function probeKind(adapter: Adapter, kind: WorkerKind, timeoutMs = PROBE_TIMEOUT_MS): Promise<string | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pool: Pool | undefined;
  const expired = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`a ${kind} worker did not run a trivial task (2 + 3) within ${timeoutMs} ms`), timeoutMs);
  });
  const ran = (async () => {
    pool = new Pool({ adapter, kind, size: 1 });
    const sum = await pool.apply((a: number, b: number) => a + b, [2, 3]);
    // A working adapter's worker is gone before the first case, which may measure the cores.
    await pool.close();
    return sum === 5 ? undefined : `a ${kind} worker answered 2 + 3 with ${String(sum)}`;
  })().catch((error: unknown) => `a ${kind} worker could not run a trivial task (2 + 3): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  try {
    return await Promise.race([ran, expired]);
  } finally {
    clearTimeout(timer);
    // A broken adapter may never confirm the end either: do not wait for it.
    void pool?.terminate().catch(() => undefined);
  }
}
