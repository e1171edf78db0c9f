/**
 * The client's look-up of its pending jobs in Redis, for outcomes its events stream did not
 * bring: completion events trimmed from the stream before this client read them (it fell
 * behind), or jobs that vanished (Redis restarted empty, rolled back, a job removed). One
 * pipelined HMGET per job, in batches, covers every pending job in a few round trips.
 */
import type { Redis } from "ioredis";

/** What Redis holds of one job. */
export type JobLookup =
  | { readonly kind: "missing" }
  | { readonly kind: "unfinished" }
  | { readonly kind: "completed"; readonly returnvalue: string | null }
  | { readonly kind: "failed"; readonly failedReason: string };

/** Jobs looked up per pipeline: bounds what one round trip carries and what the client holds. */
export const LOOKUP_BATCH = 500;

/** BullMQ sets these on every job it stores; a job key without them is no job. */
const FIELDS = ["timestamp", "finishedOn", "failedReason", "returnvalue"] as const;

/**
 * Looks up `ids` (their keys given by `keyOf`), `LOOKUP_BATCH` per pipeline, and hands each
 * batch's outcomes to `onBatch` as they come. Rejects if Redis fails a batch (the caller tries
 * again at its next sweep).
 */
export async function lookUpJobs(redis: Redis, ids: readonly string[], keyOf: (id: string) => string, onBatch: (outcomes: readonly [string, JobLookup][]) => void): Promise<void> {
  for (let start = 0; start < ids.length; start += LOOKUP_BATCH) {
    const batch = ids.slice(start, start + LOOKUP_BATCH);
    const pipeline = redis.pipeline();
    for (const id of batch) pipeline.hmget(keyOf(id), ...FIELDS);
    const replies = (await pipeline.exec()) ?? [];
    const outcomes: [string, JobLookup][] = [];
    batch.forEach((id, i) => {
      const [error, values] = replies[i] ?? [new Error("no reply")];
      if (error) throw error;
      outcomes.push([id, outcomeOf(values as (string | null)[])]);
    });
    onBatch(outcomes);
  }
}

function outcomeOf([timestamp, finishedOn, failedReason, returnvalue]: (string | null)[]): JobLookup {
  if (timestamp === null || timestamp === undefined) return { kind: "missing" };
  if (!finishedOn) return { kind: "unfinished" };
  if (failedReason !== null && failedReason !== undefined) return { kind: "failed", failedReason };
  return { kind: "completed", returnvalue: returnvalue ?? null };
}
