/**
 * Unforgeable handles: a worker handed one Queue and one Manager dict reaches those and nothing
 * else. Forged handles — its own handles' classes with a changed id, guessed neighbours of its
 * ids, ids that leaked to it with a made-up token, random ids and tokens — are refused with
 * UnknownHandleError, each refusal settling its promise; the main side's other Queues keep their
 * items and its other dicts are neither read nor written; the real handles keep working.
 */
import fc from "fast-check";
import { Manager, Pool, multiprocessing } from "@weft/core";
import { deepEqual, equal, ok } from "../assert.js";
import type { CaseContext, CaseDefinition } from "../harness.js";

type HandleTasks = typeof import("../fixtures/handle-tasks.js");
type Attempt = import("../fixtures/handle-tasks.js").Attempt;
type Forgery = import("../fixtures/handle-tasks.js").Forgery;

interface QueueState {
  readonly id: string;
  readonly token: string;
  readonly maxsize: number;
}
interface DictState {
  readonly manager: { readonly id: string; readonly token: string };
  readonly object: number;
  readonly token: string;
  readonly type: string;
}

/** How a handle describes itself to cross to a worker (what a worker's code can read of its own handles too). */
const SHARED_HANDLE = Symbol.for("weft.sharedHandle");

function stateOf<S>(handle: object): S {
  return (handle as Record<symbol, () => { state: S }>)[SHARED_HANDLE]!().state;
}

const ITEMS = [1, 2, 3];

/** The main side's channels: the worker's Queue and dict between others it is never handed. */
async function setUp() {
  const before = new multiprocessing.Queue<number>();
  const mine = new multiprocessing.Queue<number>();
  const after = new multiprocessing.Queue<number>();
  // Handed out in this order (to some other worker, say), so that the other queues' ids are neighbours of the worker's.
  const [beforeState, mineState, afterState] = [before, mine, after].map((queue) => stateOf<QueueState>(queue));
  for (const queue of [before, after]) for (const item of ITEMS) await queue.put(item);
  await mine.put(10);
  await mine.put(20);
  // Created after the queues, so that their channel ids are neighbours of the worker's too.
  const manager = new Manager();
  const otherManager = new Manager();
  const secretBefore = manager.dict<string, unknown>({ secret: "before" });
  const myDict = manager.dict<string, unknown>({ mine: "yes" });
  const secretAfter = manager.dict<string, unknown>({ secret: "after" });
  const elsewhere = otherManager.dict<string, unknown>({ secret: "elsewhere" });
  const secrets = [secretBefore, secretAfter, elsewhere].map((dict) => stateOf<DictState>(dict));
  return {
    before, mine, after, manager, otherManager, secretBefore, myDict, secretAfter, elsewhere,
    mineState: mineState!,
    myDictState: stateOf<DictState>(myDict),
    otherQueueIds: [beforeState!.id, afterState!.id],
    /** The tokens nobody handed the worker: no error message may carry one. */
    secretTokens: [beforeState!.token, afterState!.token, ...secrets.flatMap((state) => [state.token, state.manager.token])],
    secretObjects: [secrets[0]!.object, secrets[1]!.object],
    otherManagerId: secrets[2]!.manager.id,
  };
}
type Setup = Awaited<ReturnType<typeof setUp>>;

/** Runs `body` with a fresh setup and a one-worker pool; shuts both Managers down after. */
async function withSetup(ctx: CaseContext, body: (setup: Setup, pool: Pool<HandleTasks>) => Promise<void>): Promise<void> {
  const setup = await setUp();
  try {
    await using pool = new Pool<HandleTasks>({ adapter: ctx.adapter, kind: ctx.kind, module: new URL("./handle-tasks.js", ctx.fixtures), size: 1 });
    await body(setup, pool);
  } finally {
    await setup.manager.shutdown();
    await setup.otherManager.shutdown();
  }
}

function checkRefused(attempts: readonly Attempt[], secretTokens: readonly string[]): void {
  ok(attempts.length > 0, "the worker tried some forgeries");
  const reached = attempts.filter((attempt) => attempt.outcome.startsWith("ok: "));
  ok(reached.length === 0, `no forged handle reaches anything; ${reached.length} of ${attempts.length} attempts did, e.g. ${JSON.stringify(reached.slice(0, 4))}`);
  const otherwise = attempts.filter((attempt) => !attempt.outcome.startsWith("UnknownHandleError: "));
  ok(otherwise.length === 0, `every forged handle is refused with UnknownHandleError; ${otherwise.length} of ${attempts.length} attempts were not, e.g. ${JSON.stringify(otherwise.slice(0, 4))}`);
  const leaking = attempts.filter((attempt) => secretTokens.some((token) => attempt.outcome.includes(token)));
  equal(leaking.length, 0, "no refusal repeats a token the worker was not given");
}

/** The other queues kept every item, in order; the other dicts hold what they held, nothing more. */
async function checkUntouched(setup: Setup): Promise<void> {
  for (const [name, queue] of [["before", setup.before], ["after", setup.after]] as const) {
    equal(await queue.qsize(), ITEMS.length, `the ${name} queue kept its items`);
    const items: number[] = [];
    for (let i = 0; i < ITEMS.length; i++) items.push(await queue.get({ timeout: 1000 }));
    deepEqual(items, ITEMS, `the ${name} queue's items, in order`);
    for (const item of ITEMS) await queue.put(item);
  }
  deepEqual(await setup.secretBefore.copy(), new Map([["secret", "before"]]), "a dict of the same Manager, untouched");
  deepEqual(await setup.secretAfter.copy(), new Map([["secret", "after"]]), "a dict of the same Manager, untouched");
  deepEqual(await setup.elsewhere.copy(), new Map([["secret", "elsewhere"]]), "a dict of another Manager, untouched");
}

// ----- generated forgeries ------------------------------------------------------------------------

const hexToken = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(""));

/** `token` with one hex digit changed: the nearest miss. */
const nearMiss = (token: string) =>
  fc.tuple(fc.nat({ max: token.length - 1 }), fc.integer({ min: 1, max: 15 })).map(([at, by]) => {
    const digit = ((parseInt(token[at]!, 16) + by) % 16).toString(16);
    return token.slice(0, at) + digit + token.slice(at + 1);
  });

const neighbourId = (id: string) => fc.integer({ min: -5, max: 5 }).map((by) => id.replace(/\d+$/, (n) => String(Number(n) + by)));

/** An id: the worker's own, a leaked one, a neighbour, or anything. */
const anyId = (own: string, leaked: readonly string[]) => fc.oneof(fc.constant(own), fc.constantFrom(...leaked), neighbourId(own), fc.string({ maxLength: 24 }));
/** A token: the worker's own (right only with its own id), a near miss, a random one, or anything. */
const anyToken = (own: string) => fc.oneof(fc.constant(own), nearMiss(own), hexToken, fc.string({ maxLength: 40 }));
const route = fc.constantFrom("class" as const, "reviver" as const);

function forgeryArbitrary(setup: Setup): fc.Arbitrary<Forgery> {
  const q = setup.mineState;
  const d = setup.myDictState;
  const queue = fc
    .record({ id: anyId(q.id, setup.otherQueueIds), token: anyToken(q.token), route })
    .filter(({ id, token }) => !(id === q.id && token === q.token))
    .map(({ id, token, route }): Forgery => ({ on: "queue", state: { id, token, maxsize: q.maxsize }, route }));
  const dict = fc
    .record({
      managerId: anyId(d.manager.id, [setup.otherManagerId]),
      managerToken: anyToken(d.manager.token),
      object: fc.oneof(fc.constant(d.object), fc.constantFrom(...setup.secretObjects), fc.integer({ min: -2, max: 12 })),
      token: anyToken(d.token),
      route,
    })
    .filter(({ managerId, managerToken, object, token }) => !(managerId === d.manager.id && managerToken === d.manager.token && object === d.object && token === d.token))
    .map(({ managerId, managerToken, object, token, route }): Forgery => ({ on: "dict", state: { ...d, manager: { id: managerId, token: managerToken }, object, token }, route }));
  return fc.oneof(queue, dict);
}

export const handleCases: CaseDefinition[] = [
  {
    name: "handles: a worker reaches only the Queue and Manager dict it was handed; forged neighbours, changed ids and wrong tokens get UnknownHandleError",
    needs: ["local-channels"],
    timeoutMs: 60_000,
    run: (ctx) =>
      withSetup(ctx, async (setup, pool) => {
        const leaked = { queueIds: setup.otherQueueIds, dictObjects: setup.secretObjects, managerIds: [setup.otherManagerId] };
        const result = await pool.apply("forgeThenUse", [setup.mine as never, setup.myDict as never, leaked, 2]);
        checkRefused(result.attempts, setup.secretTokens);
        ok(result.attempts.some((attempt) => /not rebuilt from an id/.test(attempt.outcome)), "the refusal says what a handle must be");
        deepEqual(result.taken, [10, 20], "the worker's own Queue still works");
        equal(result.mine, "yes", "the worker's own dict still works");
        deepEqual([await setup.mine.get(), await setup.mine.get()], [20, 40], "what it put back reached its Queue");
        deepEqual(await setup.myDict.copy(), new Map([["mine", "yes"], ["worker", "was here"]]), "what it wrote reached its dict");
        await checkUntouched(setup);
      }),
  },
  {
    name: "handles: random forged ids and tokens never reach a Queue or a Manager object (generated)",
    needs: ["local-channels"],
    timeoutMs: 90_000,
    run: (ctx) =>
      withSetup(ctx, async (setup, pool) => {
        await fc.assert(
          fc.asyncProperty(fc.array(forgeryArbitrary(setup), { minLength: 1, maxLength: 12 }), async (forgeries) => {
            const attempts = await pool.apply("tryForgeries", [setup.mine as never, setup.myDict as never, forgeries]);
            checkRefused(attempts, setup.secretTokens);
          }),
          { numRuns: 12 },
        );
        await checkUntouched(setup);
        deepEqual(await setup.myDict.copy(), new Map([["mine", "yes"]]), "forgeries wrote nothing to the worker's own dict either");
        equal(await setup.mine.qsize(), 2, "nor put anything into its own Queue");
      }),
  },
];
