// weft's benchmark task module (plain JS: every runtime loads it as it is).
export function echo(value) {
  return value;
}

/** A pure CPU chunk: counts primes in [from, to). */
export function countPrimes(from, to) {
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

/** Returns the buffer it got (to measure payload round trips). */
export function bounce(payload) {
  return payload;
}

/** Touches a shared buffer and returns nothing big. */
export function touchShared(view) {
  view[0] = (view[0] + 1) | 0;
  return view.length;
}

/** Uncontended Lock acquire+release pairs inside a worker; returns operations per second. */
export function uncontendedLock(lock, iterations) {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    lock.acquireSync();
    lock.release();
  }
  return iterations / ((performance.now() - start) / 1000);
}

/** Two threads take one Lock `iterations` times each, starting together; returns elapsed ms. */
export function contendedLock(lock, counter, iterations, barrier) {
  barrier.waitSync(5000);
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    lock.acquireSync();
    counter.store(counter.load() + 1);
    lock.release();
  }
  return performance.now() - start;
}

/** Puts `count` numbers into a channel queue, then closes it. */
export async function produce(queue, count) {
  for (let i = 0; i < count; i++) await queue.put(i);
  await queue.close();
  return count;
}

/** Sends `count` numbers through one end of a Pipe, then closes it. */
export async function sendItems(connection, count) {
  for (let i = 0; i < count; i++) await connection.send(i);
  await connection.close();
  return count;
}

/** Counts the items of a channel queue until it is closed and drained. */
export async function consumeCount(queue) {
  let count = 0;
  for await (const _ of queue) count++;
  return count;
}
