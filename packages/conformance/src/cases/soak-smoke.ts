import { equal } from "../assert.js";
import type { CaseDefinition } from "../harness.js";
import { runSoak } from "../soak.js";

export const soakCases: CaseDefinition[] = [
  {
    name: "soak (smoke): 20,000 tasks (2,000 under --quick) with aborts and timeouts mixed in all settle as expected",
    timeoutMs: 90_000,
    async run(ctx) {
      const report = await runSoak({ adapter: ctx.adapter, kind: ctx.kind, fixtures: ctx.fixtures, tasks: ctx.scale === "quick" ? 2_000 : 20_000, createPool: (options) => ctx.pool(options) });
      ctx.measure("tasksPerSecond", Math.round(report.tasksPerSecond));
      equal(report.unexpected, 0, `unexpected outcomes (first: ${report.firstUnexpected})`);
      equal(report.fulfilled + report.aborted + report.timedOut, report.submitted, "every submitted task settled exactly once");
    },
  },
];
