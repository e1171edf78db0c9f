import { Process, Thread } from "@weft/core";
import { deepEqual, equal, ok, rejects, throws } from "../assert.js";
import type { CaseContext, CaseDefinition } from "../harness.js";
import { exitCodes, neverYielding, type Fixtures } from "./util.js";

function make(ctx: CaseContext, options: ConstructorParameters<typeof Thread>[0]) {
  const Kind = ctx.kind === "thread" ? Thread : Process;
  return new Kind({ adapter: ctx.adapter, ...options });
}

export const lifecycleCases: CaseDefinition[] = [
  {
    name: "lifecycle: start, join returns the target's value, exitCode 0",
    needs: ["thread-objects"],
    async run(ctx) {
      const worker = make(ctx, { module: ctx.fixtures, target: "add" satisfies keyof Fixtures, args: [20, 22] });
      equal(worker.exitCode, null, "exitCode before start");
      equal(worker.isAlive(), false, "isAlive before start");
      worker.start();
      equal(worker.isAlive(), true, "isAlive after start");
      equal(await worker.join(), 42, "join's value");
      equal(worker.isAlive(), false, "isAlive after join");
      equal(worker.exitCode, 0, "exitCode after a normal return");
    },
  },
  {
    name: "lifecycle: an inline function runs as the target",
    needs: ["thread-objects"],
    async run(ctx) {
      const worker = make(ctx, { target: (a: number, b: string) => `${b}:${a * 2}`, args: [21, "x"] }).start();
      equal(await worker.join(), "x:42", "inline target's value");
    },
  },
  {
    name: "lifecycle: join throws the target's error, exitCode 1",
    needs: ["thread-objects"],
    async run(ctx) {
      const worker = make(ctx, { module: ctx.fixtures, target: "fail", args: ["type"] }).start();
      const error = await rejects(worker.join(), "TypeError", /wrong type here/);
      ok(error instanceof TypeError, "the error is a TypeError instance");
      equal(worker.exitCode, 1, "exitCode after the target threw");
    },
  },
  {
    name: "lifecycle: join with a timeout, then terminate",
    needs: ["thread-objects"],
    async run(ctx) {
      const { target, args } = neverYielding(ctx);
      const worker = make(ctx, { module: ctx.fixtures, target, args }).start();
      await rejects(worker.join(100), "TimeoutError");
      equal(worker.isAlive(), true, "still alive after join timed out");
      await worker.terminate();
      equal(worker.isAlive(), false, "not alive after terminate");
      equal(worker.exitCode, -15, "exitCode after terminate (Python's -SIGTERM)");
      await rejects(worker.join(), "WorkerExitError");
    },
  },
  {
    name: "process: the forkserver start method runs each Process in a fresh process, ready ahead",
    needs: ["thread-objects"],
    kinds: ["process"],
    async run(ctx) {
      const realms = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const worker = new Process({ adapter: ctx.adapter, module: ctx.fixtures, target: "realmToken" satisfies keyof Fixtures, startMethod: "forkserver" }).start();
        const ran = (await worker.join()) as { pid: number | undefined; token: string };
        equal(worker.exitCode, 0, `Process ${i}'s exitCode`);
        equal(worker.pid, ran.pid, `Process ${i} reports the pid it ran in`);
        realms.add(ran.token);
        // Give the spare time to boot, so that the later Processes do take one.
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      equal(realms.size, 4, "four Processes ran in four fresh workers (a spare is never reused)");
      const inline = new Process({ adapter: ctx.adapter, target: (a: number) => a + 1, args: [1], startMethod: "forkserver" }).start();
      equal(await inline.join(), 2, "an inline target after a module's: the spare for another module is not used");
      throws(() => new Process({ adapter: ctx.adapter, target: "pid", module: ctx.fixtures, startMethod: "fork" as never }), "InvalidArgumentError", /spawn.*forkserver/);
      throws(() => Process.setStartMethod("fork" as never), "InvalidArgumentError", /spawn.*forkserver/);
      equal(Process.getStartMethod(), "spawn", "the default start method is unchanged");
    },
  },
  {
    name: "lifecycle: starting twice and joining before start are refused",
    needs: ["thread-objects"],
    async run(ctx) {
      const worker = make(ctx, { module: ctx.fixtures, target: "echo", args: [1] });
      await rejects(worker.join(), "InvalidStateError", /start/);
      worker.start();
      throws(() => worker.start(), "InvalidStateError", /only once/);
      equal(await worker.join(), 1, "the first start still runs");
      deepEqual(worker.exitCode, 0);
    },
  },
  {
    name: "lifecycle: a worker that exits reports its exit code",
    needs: ["thread-objects"],
    async run(ctx) {
      const worker = make(ctx, { module: ctx.fixtures, target: "exitWorker", args: [7] }).start();
      const error = await rejects(worker.join(), "WorkerExitError");
      equal(worker.isAlive(), false, "not alive after exiting");
      // The exit itself is observed everywhere; only the code can be missing (declared).
      const codes = exitCodes(ctx);
      if (!codes.reported) ctx.skip(codes.reason);
      equal((error as Error & { exitCode: number }).exitCode, 7, "WorkerExitError.exitCode");
      equal(worker.exitCode, 7, "exitCode");
    },
  },
];
