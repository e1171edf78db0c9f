import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../src/errors.js";
import { SharedArray, Value } from "../src/sync/index.js";

describe("Value", () => {
  it("int32: load/store/value, add/sub wrap around, bitwise ops, exchange, compareExchange", () => {
    const v = new Value("int32", 5);
    expect(v.kind).toBe("int32");
    expect(v.value).toBe(5);
    expect(v.add(3)).toBe(5);
    expect(v.load()).toBe(8);
    expect(v.sub(10)).toBe(8);
    expect(v.value).toBe(-2);
    v.value = 0b1100;
    expect(v.and(0b1010)).toBe(0b1100);
    expect(v.value).toBe(0b1000);
    expect(v.or(0b0001)).toBe(0b1000);
    expect(v.xor(0b1111)).toBe(0b1001);
    expect(v.value).toBe(0b0110);
    expect(v.exchange(42)).toBe(6);
    expect(v.compareExchange(41, 7)).toBe(42);
    expect(v.value).toBe(42);
    expect(v.compareExchange(42, 7)).toBe(42);
    expect(v.value).toBe(7);
    v.store(2 ** 31 - 1);
    v.add(1);
    expect(v.value).toBe(-(2 ** 31));
    expect(new Value("int32").value).toBe(0);
  });

  it("float64: add/sub by compare-and-swap, exchange, compareExchange on bits; no bitwise ops", () => {
    const v = new Value("float64", 0.5);
    expect(v.add(0.25)).toBe(0.5);
    expect(v.value).toBe(0.75);
    expect(v.sub(1)).toBe(0.75);
    expect(v.value).toBe(-0.25);
    for (let i = 0; i < 10; i++) v.add(0.1);
    expect(v.value).toBeCloseTo(0.75, 12);
    expect(v.exchange(Math.PI)).toBeCloseTo(0.75, 12);
    expect(v.compareExchange(3, 1)).toBe(Math.PI);
    expect(v.compareExchange(Math.PI, 1.5)).toBe(Math.PI);
    expect(v.value).toBe(1.5);
    v.store(0);
    expect(Object.is(v.compareExchange(-0, 9), 0)).toBe(true); // bit patterns: -0 is not 0
    expect(v.value).toBe(0);
    v.value = Number.NaN;
    expect(v.value).toBeNaN();
    expect(() => v.and(1)).toThrow(InvalidArgumentError);
    expect(() => v.xor(1)).toThrow(/integer kinds only/);
  });

  it("bigint64: 64-bit arithmetic with bigints, wrapping at 2^63", () => {
    const v = new Value("bigint64", 2n ** 62n);
    expect(v.add(2n ** 62n - 1n)).toBe(2n ** 62n);
    expect(v.value).toBe(2n ** 63n - 1n);
    v.add(1n);
    expect(v.value).toBe(-(2n ** 63n));
    v.value = 0b1100n;
    expect(v.or(1n)).toBe(0b1100n);
    expect(v.and(0b0101n)).toBe(0b1101n);
    expect(v.xor(0b0101n)).toBe(0b0101n);
    expect(v.value).toBe(0n);
    expect(v.exchange(9n)).toBe(0n);
    expect(v.compareExchange(9n, 10n)).toBe(9n);
    expect(v.sub(20n)).toBe(10n);
    expect(v.value).toBe(-10n);
  });

  it("rejects operands of the wrong type and unknown kinds", () => {
    expect(() => new Value("int32", 1.5)).toThrow(InvalidArgumentError);
    expect(() => new Value("bigint64", 1 as never)).toThrow(/takes a bigint/);
    expect(() => new Value("float64", 1n as never)).toThrow(InvalidArgumentError);
    expect(() => new Value("int33" as never)).toThrow(/unknown kind/);
    const v = new Value("int32");
    expect(() => v.add("1" as never)).toThrow(InvalidArgumentError);
    expect(v.value).toBe(0);
  });

  it("getLock() is one Lock over the Value's memory, whichever copy hands it out", async () => {
    const v = new Value("int32");
    const a = v.getLock();
    const b = v.getLock();
    expect(a.tryAcquire()).toBe(true);
    expect(b.locked()).toBe(true);
    expect(await b.acquire(10)).toBe(false);
    a.release();
    expect(v.value).toBe(0); // the lock lives beside the value, not in it
  });
});

describe("SharedArray", () => {
  it("of(kind, length) is zero-filled; the typed view and atomic helpers see the same memory", () => {
    const arr = SharedArray.of("int32", 4);
    expect(arr.kind).toBe("int32");
    expect(arr.length).toBe(4);
    expect(arr.array).toBeInstanceOf(Int32Array);
    expect(arr.array.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(arr.toArray()).toEqual([0, 0, 0, 0]);
    arr.array[1] = 10;
    expect(arr.add(1, 5)).toBe(10);
    expect(arr.array[1]).toBe(15);
    expect(arr.sub(2, 1)).toBe(0);
    expect(arr.load(2)).toBe(-1);
    expect(arr.store(3, 0b0110)).toBe(0b0110);
    expect(arr.and(3, 0b0011)).toBe(0b0110);
    expect(arr.or(3, 0b1000)).toBe(0b0010);
    expect(arr.xor(3, 0b1111)).toBe(0b1010);
    expect(arr.exchange(0, 7)).toBe(0);
    expect(arr.compareExchange(0, 7, 8)).toBe(7);
    expect([...arr]).toEqual([8, 15, -1, 0b0101]);
  });

  it("from(kind, values) for float and bigint kinds, with float add over bits", () => {
    const f = SharedArray.from("float64", [1.5, 2.5]);
    expect(f.array).toBeInstanceOf(Float64Array);
    expect(f.add(0, 0.25)).toBe(1.5);
    expect(f.array[0]).toBe(1.75);
    expect(f.compareExchange(1, 2.5, -1)).toBe(2.5);
    expect(f.toArray()).toEqual([1.75, -1]);
    const f32 = SharedArray.from("float32", new Set([0.5, 1]));
    expect(f32.sub(1, 0.25)).toBe(1);
    expect(f32.load(1)).toBe(0.75);
    const big = SharedArray.from("biguint64", [1n, 2n ** 64n - 1n]);
    expect(big.add(1, 1n)).toBe(2n ** 64n - 1n);
    expect(big.toArray()).toEqual([1n, 0n]);
    const bytes = SharedArray.from("uint8", [255]);
    bytes.add(0, 1);
    expect(bytes.load(0)).toBe(0);
  });

  it("checks indices, lengths, kinds and values", () => {
    const arr = SharedArray.of("int16", 2);
    expect(() => arr.load(2)).toThrow(RangeError);
    expect(() => arr.store(-1, 0)).toThrow(RangeError);
    expect(() => arr.load(0.5)).toThrow(RangeError);
    expect(() => SharedArray.of("int16", -1)).toThrow(InvalidArgumentError);
    expect(() => SharedArray.of("nope" as never, 1)).toThrow(InvalidArgumentError);
    expect(() => SharedArray.from("int32", [1, 2.5])).toThrow(/values\[1\]/);
    expect(() => SharedArray.from("float32", [1]).or(0, 1)).toThrow(InvalidArgumentError);
    expect(SharedArray.of("float64", 0).toArray()).toEqual([]);
  });

  it("getLock() guards a multi-element update", async () => {
    const arr = SharedArray.of("int32", 2);
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        await using _held = await arr.getLock().hold();
        const a = arr.load(0);
        await new Promise((r) => setTimeout(r, 1));
        arr.store(0, a + 1);
        arr.store(1, arr.load(1) + 2);
      }),
    );
    expect(arr.toArray()).toEqual([5, 10]);
  });
});
