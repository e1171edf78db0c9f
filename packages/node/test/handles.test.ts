import { readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { Pool } from "@weft/node";

// Closing a pool releases every pipe and handle it opened: 40 pools opened and closed leave the
// count of this process's open file descriptors where it was (Linux: /proc/self/fd).

const openFds = () => readdirSync("/proc/self/fd").length;
/** Descriptors the runtime may open once, lazily, while the pools run (not one per pool). */
const SLACK = 5;

describe.skipIf(process.platform !== "linux")("handles (Node; counts /proc/self/fd)", () => {
  for (const kind of ["process", "thread"] as const) {
    test(`40 ${kind} pools opened and closed release what they opened`, async () => {
      const cycle = async () => {
        const pool = new Pool({ kind, size: 1 });
        expect(await pool.apply((n: number) => n + 1, [1])).toBe(2);
        await pool.close();
      };
      await cycle(); // warm-up: what the runtime opens once
      const before = openFds();
      for (let i = 0; i < 40; i++) await cycle();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(openFds() - before).toBeLessThanOrEqual(SLACK);
    }, 120_000);
  }
});
