/**
 * Removes a terminated client's queued jobs from Redis in bulk: its job hashes and their places in
 * the queue's wait list, one script call per batch of ids, so that terminate() leaves nothing of
 * them behind whether or not a node is running (a node drops a terminated client's jobs anyway,
 * but only as it takes them, one by one). BullMQ's own removal, one call per job, scans the wait
 * list each time: 50,000 jobs took 37–51 s that way.
 */
import type { Redis } from "ioredis";

/** Ids per script call: bounds how long one call holds Redis. */
export const QUEUED_REMOVAL_BATCH = 500;

/**
 * KEYS: the wait list; ARGV[1]: the queue's key prefix ("bull:queue:"), then the ids, newest
 * first. BullMQ pushes new jobs on the head of the wait list, so each LREM, scanning from the head,
 * finds its job among the first entries. Only a job still in the wait list is deleted: one a node
 * has taken meanwhile is left to the node (which drops it, its client being gone).
 */
const REMOVE_QUEUED = `
local removed = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  if redis.call("LREM", KEYS[1], 1, id) > 0 then
    redis.call("DEL", ARGV[1] .. id, ARGV[1] .. id .. ":logs")
    removed = removed + 1
  end
end
return removed`;

type WithRemoveQueued = Redis & { weftRemoveQueued(wait: string, prefix: string, ...ids: string[]): Promise<number> };

/**
 * Removes the jobs `ids` (oldest first, as submitted) that are still waiting in the queue whose
 * keys start with `queuePrefix` (`${prefix}:${queue}:`); resolves with how many were removed.
 * The batches go out pipelined, in one round trip.
 */
export async function removeQueuedJobs(redis: Redis, queuePrefix: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  if (!("weftRemoveQueued" in redis)) redis.defineCommand("weftRemoveQueued", { numberOfKeys: 1, lua: REMOVE_QUEUED });
  const newestFirst = [...ids].reverse();
  const calls: Promise<number>[] = [];
  for (let start = 0; start < newestFirst.length; start += QUEUED_REMOVAL_BATCH) {
    calls.push((redis as WithRemoveQueued).weftRemoveQueued(`${queuePrefix}wait`, queuePrefix, ...newestFirst.slice(start, start + QUEUED_REMOVAL_BATCH)));
  }
  let removed = 0;
  for (const count of await Promise.all(calls)) removed += count;
  return removed;
}
