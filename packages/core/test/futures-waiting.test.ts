import { describe, expect, test } from "vitest";
import { InvalidArgumentError, TimeoutError } from "../src/errors.js";
import { Future } from "../src/future.js";
import { fulfilFuture, failFuture } from "../src/future.js";
import { ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, asCompleted, wait, type CompletedFuture } from "../src/futures/waiting.js";

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Settles future `i` the way `how[i]` says: a value, an error, or a cancellation. */
function settle(future: Future<number>, how: "value" | "error" | "cancel", i: number): void {
  if (how === "value") fulfilFuture(future, i);
  else if (how === "error") failFuture(future, new Error(`failed ${i}`));
  else future.cancel();
}

describe("concurrent.futures.asCompleted", () => {
  test("yields every future once, in the order they finish — for every order of 4 futures", async () => {
    const kinds = ["value", "error", "cancel", "value"] as const;
    for (const order of permutations([0, 1, 2, 3])) {
      const futures = kinds.map(() => new Future<number>());
      const seen: CompletedFuture<number>[] = [];
      const reading = (async () => {
        for await (const future of asCompleted([...futures, futures[0]!])) seen.push(future);
      })();
      for (const i of order) {
        settle(futures[i]!, kinds[i]!, i);
        await tick();
      }
      await reading;
      expect(seen).toEqual(order.map((i) => futures[i]));
      expect(seen.every((f) => f.done())).toBe(true);
    }
  });

  test("already-done futures come first; a timeout throws TimeoutError and cancels nothing", async () => {
    const done = new Future<number>();
    fulfilFuture(done, 1);
    const pending = new Future<number>();
    const iterator = asCompleted([pending, done], { timeout: 20 });
    expect((await iterator.next()).value).toBe(done);
    await expect(iterator.next()).rejects.toBeInstanceOf(TimeoutError);
    expect(pending.cancelled()).toBe(false);
  });

  test("refuses what is not a Future, pointing at asyncio's asCompleted", () => {
    expect(() => asCompleted([Promise.resolve(1)] as never)).toThrow(/asyncio's wait \/ asCompleted/);
    expect(() => asCompleted(42 as never)).toThrow(InvalidArgumentError);
    expect(() => asCompleted([], { timeout: -1 })).toThrow(InvalidArgumentError);
  });
});

describe("concurrent.futures.wait", () => {
  test("FIRST_COMPLETED, FIRST_EXCEPTION (a cancellation does not count) and ALL_COMPLETED", async () => {
    const [a, b, c] = [new Future<number>(), new Future<number>(), new Future<number>()];
    const first = wait([a, b, c], { returnWhen: FIRST_COMPLETED });
    fulfilFuture(b, 2);
    expect(await first).toEqual({ done: new Set([b]), notDone: new Set([a, c]) });

    const firstError = wait([a, b, c], { returnWhen: FIRST_EXCEPTION });
    a.cancel();
    await tick();
    let settled = false;
    void firstError.then(() => (settled = true));
    await tick();
    expect(settled).toBe(false);
    failFuture(c, new Error("boom"));
    expect((await firstError).notDone.size).toBe(0);

    expect(await wait([a, b, c], { returnWhen: ALL_COMPLETED })).toEqual({ done: new Set([a, b, c]), notDone: new Set() });
  });

  test("a timeout resolves with what is not done, without throwing; an empty collection resolves at once", async () => {
    const pending = new Future<number>();
    expect(await wait([pending], { timeout: 10 })).toEqual({ done: new Set(), notDone: new Set([pending]) });
    expect(await wait([])).toEqual({ done: new Set(), notDone: new Set() });
  });

  test("a failed future passed to wait is not an unhandled rejection: its error is read with exception()", async () => {
    const failing = new Future<number>();
    const waiting = wait([failing]);
    failFuture(failing, new Error("kept"));
    const { done } = await waiting;
    expect(([...done][0]!.exception() as Error).message).toBe("kept");
  });

  test("bad options are named", () => {
    expect(() => wait([], { returnWhen: "SOMETIMES" as never })).toThrow(/returnWhen/);
    expect(() => wait([], { timeout: Number.NaN })).toThrow(/timeout/);
    expect(() => wait([], { other: 1 } as never)).toThrow(InvalidArgumentError);
  });
});
