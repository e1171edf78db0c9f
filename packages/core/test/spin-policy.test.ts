import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { PROBE_EVERY, SpinPolicy } from "../src/spin-policy.js";

/** Runs `answers` round trips where spinning costs `spinUs` and the event loop `waitUs`; how many were spun. */
function drive(policy: SpinPolicy, answers: number, spinUs: number, waitUs: number): number {
  let spun = 0;
  for (let i = 0; i < answers; i++) {
    const budget = policy.budget();
    expect(budget).toBeGreaterThanOrEqual(0);
    expect(budget).toBeLessThanOrEqual(policy.maxUs);
    if (budget > 0) spun++;
    policy.answered(budget > 0, budget > 0 ? spinUs : waitUs);
  }
  return spun;
}

describe("spinWait's policy", () => {
  test("spins when spinning answers sooner, and stops when it answers later (a busy machine)", () => {
    const policy = new SpinPolicy(100);
    expect(drive(policy, 320, 10, 40)).toBeGreaterThan(320 - 320 / PROBE_EVERY - 4);
    // The machine got busy: a spin now costs more than the event loop's round trip.
    drive(policy, 64, 150, 40);
    expect(drive(policy, 320, 150, 40)).toBeLessThanOrEqual(320 / PROBE_EVERY + 1);
  });

  test("whatever the costs, it settles on the clearly cheaper way but for its probes, and never spins past what it was allowed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 500 }), (spinUs, waitUs, maxUs) => {
        // Between nine tenths of the event loop's round trip and all of it, either way is right.
        fc.pre(spinUs < 0.85 * waitUs || spinUs > waitUs);
        const policy = new SpinPolicy(maxUs);
        drive(policy, 200, spinUs, waitUs);
        const spun = drive(policy, 16 * PROBE_EVERY, spinUs, waitUs);
        if (spinUs < waitUs) expect(spun).toBeGreaterThanOrEqual(15 * PROBE_EVERY - 1);
        else expect(spun).toBeLessThanOrEqual(PROBE_EVERY + 1);
      }),
    );
  });
});
