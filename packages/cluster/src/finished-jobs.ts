/**
 * Removes a client's finished jobs from Redis once their outcome was delivered: a job's hash
 * (with its arguments and result), its logs and its entry in the completed or failed set. Ids are
 * gathered and removed in batches, one script call per batch, so that delivery costs no round
 * trip of its own.
 */
import type { Redis } from "ioredis";

/** Ids removed per script call: bounds how long one call holds Redis. */
export const REMOVAL_BATCH = 500;
/** How long ids wait for more to join their batch (ms). */
const FLUSH_DELAY_MS = 20;

/**
 * KEYS: the completed and failed sets; ARGV[1]: the queue's key prefix ("bull:queue:"), then the
 * ids. Only a job found in a finished set is deleted: a job that BullMQ runs again (stalled and
 * put back) is never touched.
 */
const REMOVE_FINISHED = `
local removed = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  if redis.call("ZREM", KEYS[1], id) + redis.call("ZREM", KEYS[2], id) > 0 then
    redis.call("DEL", ARGV[1] .. id, ARGV[1] .. id .. ":logs")
    removed = removed + 1
  end
end
return removed`;

type WithRemoveFinished = Redis & { weftRemoveFinished(completed: string, failed: string, prefix: string, ...ids: string[]): Promise<number> };

export class FinishedJobRemover {
  readonly #redis: WithRemoveFinished;
  readonly #queuePrefix: string;
  #ids: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight = new Set<Promise<void>>();

  /** `queuePrefix` is the prefix of the queue's keys, `${prefix}:${queue}:`. */
  constructor(redis: Redis, queuePrefix: string) {
    if (!("weftRemoveFinished" in redis)) redis.defineCommand("weftRemoveFinished", { numberOfKeys: 2, lua: REMOVE_FINISHED });
    this.#redis = redis as WithRemoveFinished;
    this.#queuePrefix = queuePrefix;
  }

  /** Removes this finished job soon. */
  add(id: string): void {
    this.#ids.push(id);
    if (this.#ids.length >= REMOVAL_BATCH) this.#send();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#send(), FLUSH_DELAY_MS);
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  /** Sends what is gathered and resolves once every removal sent so far was answered (or failed). */
  async flush(): Promise<void> {
    this.#send();
    await Promise.all(this.#inFlight);
  }

  #send(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#ids.length === 0) return;
    const ids = this.#ids;
    this.#ids = [];
    const prefix = this.#queuePrefix;
    const sent: Promise<void> = this.#redis.weftRemoveFinished(`${prefix}completed`, `${prefix}failed`, prefix, ...ids).then(
      () => undefined,
      // Redis unreachable: the jobs stay until BullMQ's own clean-up after keepFinishedFor.
      () => undefined,
    ).finally(() => this.#inFlight.delete(sent));
    this.#inFlight.add(sent);
  }
}
