// The chunked FIFO behind a channel queue's items, against a plain array as the model: the same
// values come out in the same order whatever mix of pushes, adopted batches, takes and merges
// (given-back items).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { type Entry, ItemDeque } from "../src/channels/item-deque.js";

type Op = { kind: "push"; count: number } | { kind: "adopt"; count: number } | { kind: "shift" } | { kind: "take"; count: number } | { kind: "giveBack"; count: number } | { kind: "drop"; count: number } | { kind: "moveTo"; count: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("push" as const), count: fc.integer({ min: 1, max: 3000 }) }),
  fc.record({ kind: fc.constant("adopt" as const), count: fc.integer({ min: 0, max: 5000 }) }),
  fc.record({ kind: fc.constant("shift" as const) }),
  fc.record({ kind: fc.constant("take" as const), count: fc.integer({ min: 0, max: 3000 }) }),
  fc.record({ kind: fc.constant("giveBack" as const), count: fc.integer({ min: 0, max: 3000 }) }),
  fc.record({ kind: fc.constant("drop" as const), count: fc.integer({ min: 0, max: 3000 }) }),
  fc.record({ kind: fc.constant("moveTo" as const), count: fc.integer({ min: 0, max: 3000 }) }),
);

describe("ItemDeque", () => {
  it("keeps arrival order through pushes, adopted batches, takes, drops, moves and merges (generated)", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const deque = new ItemDeque<string>();
        // Where moveTo puts items (a worker's held items), with its own model.
        const held = new ItemDeque<string>();
        const heldModel: Entry<string>[] = [];
        let model: Entry<string>[] = [];
        let seq = 0;
        let taken: Entry<string>[] = [];
        for (const step of ops) {
          if (step.kind === "push") {
            for (let i = 0; i < step.count; i++, seq++) {
              deque.push(`v${seq}`, seq);
              model.push({ value: `v${seq}`, seq });
            }
          } else if (step.kind === "adopt") {
            // A batch that crossed from a worker: kept as one array, numbered from `seq`.
            const batch = Array.from({ length: step.count }, (_, i) => `v${seq + i}`);
            deque.adopt(batch, seq);
            for (const value of batch) model.push({ value, seq: seq++ });
          } else if (step.kind === "shift") {
            if (model.length === 0) continue;
            const expected = model.shift()!;
            expect(deque.shift()).toBe(expected.value);
            taken.push(expected);
          } else if (step.kind === "take") {
            const got = deque.take(step.count);
            const expected = model.splice(0, step.count);
            expect(got).toEqual(expected);
            taken.push(...got);
          } else if (step.kind === "drop") {
            const expected = Math.min(step.count, model.length);
            expect(deque.drop(step.count)).toBe(expected);
            model.splice(0, expected);
          } else if (step.kind === "moveTo") {
            const moved = model.splice(0, step.count);
            expect(deque.moveTo(held, step.count)).toEqual(moved.map((entry) => entry.value));
            heldModel.push(...moved);
            expect(held.length).toBe(heldModel.length);
          } else {
            // Give back some taken items (as a worker that never took them): they go back in place.
            const back = taken.splice(0, step.count).sort((a, b) => a.seq - b.seq);
            deque.merge(back);
            model = [...model, ...back].sort((a, b) => a.seq - b.seq);
          }
          expect(deque.length).toBe(model.length);
        }
        expect(deque.take(deque.length)).toEqual(model);
        expect(deque.length).toBe(0);
        expect(held.take(held.length)).toEqual(heldModel);
      }),
      { numRuns: 200 },
    );
  });
});
