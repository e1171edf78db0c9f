/**
 * Atomic operations on the elements of a shared typed array, for every element kind. Integer
 * kinds use Atomics directly; float kinds go through their bit pattern (Int32Array for float32,
 * BigInt64Array for float64), with add/sub as compare-and-swap loops over the bits.
 */
import { InvalidArgumentError } from "../errors.js";

/** Element kinds, named after their typed arrays (Python's typecodes: b B h H i I q Q f d). */
export type ElementKind =
  | "int8" | "uint8" | "int16" | "uint16" | "int32" | "uint32"
  | "bigint64" | "biguint64" | "float32" | "float64";

/** The JS type of an element: bigint for the 64-bit integer kinds, number otherwise. */
export type ElementOf<K extends ElementKind> = K extends "bigint64" | "biguint64" ? bigint : number;

/**
 * A typed array over shared memory. Spelled as an intersection, not `Int32Array<SharedArrayBuffer>`:
 * typed arrays became generic in TypeScript 5.7, and a generic one in the shipped declarations is
 * an error (TS2315) for every user on TypeScript 5.4–5.6.
 */
export type SharedView<T> = T & { readonly buffer: SharedArrayBuffer };

/** The typed-array view over the shared elements. */
export type TypedArrayOf<K extends ElementKind> = {
  int8: SharedView<Int8Array>;
  uint8: SharedView<Uint8Array>;
  int16: SharedView<Int16Array>;
  uint16: SharedView<Uint16Array>;
  int32: SharedView<Int32Array>;
  uint32: SharedView<Uint32Array>;
  bigint64: SharedView<BigInt64Array>;
  biguint64: SharedView<BigUint64Array>;
  float32: SharedView<Float32Array>;
  float64: SharedView<Float64Array>;
}[K];

type IntegerArray = TypedArrayOf<Exclude<ElementKind, "float32" | "float64">>;

const CONSTRUCTORS = {
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array,
  uint32: Uint32Array, bigint64: BigInt64Array, biguint64: BigUint64Array, float32: Float32Array, float64: Float64Array,
} as const;

export function isElementKind(kind: unknown): kind is ElementKind {
  return typeof kind === "string" && Object.hasOwn(CONSTRUCTORS, kind);
}

export function checkElementKind(kind: unknown, what: string): ElementKind {
  if (!isElementKind(kind)) {
    throw new InvalidArgumentError(`${what}: unknown kind ${JSON.stringify(kind)}; use one of ${Object.keys(CONSTRUCTORS).join(", ")}.`);
  }
  return kind;
}

export function elementSize(kind: ElementKind): number {
  return CONSTRUCTORS[kind].BYTES_PER_ELEMENT;
}

export function typedView<K extends ElementKind>(kind: K, buffer: SharedArrayBuffer, byteOffset: number, length: number): TypedArrayOf<K> {
  const View = CONSTRUCTORS[kind] as unknown as new (buffer: SharedArrayBuffer, byteOffset: number, length: number) => TypedArrayOf<K>;
  return new View(buffer, byteOffset, length);
}

// Scratch space converting floats to and from their bits.
const scratch = new ArrayBuffer(8);
const f64 = new Float64Array(scratch);
const b64 = new BigInt64Array(scratch);
const f32 = new Float32Array(scratch, 0, 1);
const i32 = new Int32Array(scratch, 0, 1);

/** Atomic access to `length` elements of `kind` in shared memory. */
export class AtomicCells<K extends ElementKind> {
  readonly kind: K;
  readonly view: TypedArrayOf<K>;
  /** What Atomics operates on: the view itself, or the bit-pattern view for floats. */
  private readonly cells: IntegerArray;
  private readonly float: 0 | 32 | 64;
  private readonly big: boolean;

  constructor(kind: K, buffer: SharedArrayBuffer, byteOffset: number, length: number) {
    this.kind = kind;
    this.view = typedView(kind, buffer, byteOffset, length);
    this.float = kind === "float64" ? 64 : kind === "float32" ? 32 : 0;
    this.big = kind === "bigint64" || kind === "biguint64";
    this.cells =
      this.float === 64 ? new BigInt64Array(buffer, byteOffset, length)
      : this.float === 32 ? new Int32Array(buffer, byteOffset, length)
      : (this.view as IntegerArray);
  }

  /** Checks an operand: bigint for 64-bit integer kinds, an integer for the others, any number for floats. */
  check(value: unknown, what: string): ElementOf<K> {
    if (this.big) {
      if (typeof value !== "bigint") throw new InvalidArgumentError(`${what}: a ${this.kind} takes a bigint; got ${typeof value}.`);
    } else if (typeof value !== "number" || (this.float === 0 && !Number.isInteger(value))) {
      throw new InvalidArgumentError(`${what}: a ${this.kind} takes ${this.float ? "a number" : "an integer number"}; got ${String(value)}.`);
    }
    return value as ElementOf<K>;
  }

  index(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.view.length) throw new RangeError(`index ${i} is out of range for ${this.view.length} elements.`);
    return i;
  }

  private toBits(value: number): number | bigint {
    if (this.float === 64) {
      f64[0] = value;
      return b64[0]!;
    }
    f32[0] = value;
    return i32[0]!;
  }

  private fromBits(bits: number | bigint): number {
    if (this.float === 64) {
      b64[0] = bits as bigint;
      return f64[0]!;
    }
    i32[0] = bits as number;
    return f32[0]!;
  }

  load(i: number): ElementOf<K> {
    const bits = Atomics.load(this.cells as Int32Array, i) as number | bigint;
    return (this.float ? this.fromBits(bits) : bits) as ElementOf<K>;
  }

  store(i: number, value: ElementOf<K>): ElementOf<K> {
    if (this.float) Atomics.store(this.cells as Int32Array, i, this.toBits(value as number) as never);
    else Atomics.store(this.cells as Int32Array, i, value as never);
    return value;
  }

  exchange(i: number, value: ElementOf<K>): ElementOf<K> {
    if (!this.float) return Atomics.exchange(this.cells as Int32Array, i, value as never) as ElementOf<K>;
    return this.fromBits(Atomics.exchange(this.cells as Int32Array, i, this.toBits(value as number) as never)) as ElementOf<K>;
  }

  compareExchange(i: number, expected: ElementOf<K>, replacement: ElementOf<K>): ElementOf<K> {
    if (!this.float) return Atomics.compareExchange(this.cells as Int32Array, i, expected as never, replacement as never) as ElementOf<K>;
    const seen = Atomics.compareExchange(this.cells as Int32Array, i, this.toBits(expected as number) as never, this.toBits(replacement as number) as never);
    return this.fromBits(seen) as ElementOf<K>;
  }

  add(i: number, value: ElementOf<K>): ElementOf<K> {
    if (!this.float) return Atomics.add(this.cells as Int32Array, i, value as never) as ElementOf<K>;
    return this.floatUpdate(i, (x) => x + (value as number));
  }

  sub(i: number, value: ElementOf<K>): ElementOf<K> {
    if (!this.float) return Atomics.sub(this.cells as Int32Array, i, value as never) as ElementOf<K>;
    return this.floatUpdate(i, (x) => x - (value as number));
  }

  and(i: number, value: ElementOf<K>): ElementOf<K> {
    return Atomics.and(this.integerCells("and"), i, value as never) as ElementOf<K>;
  }

  or(i: number, value: ElementOf<K>): ElementOf<K> {
    return Atomics.or(this.integerCells("or"), i, value as never) as ElementOf<K>;
  }

  xor(i: number, value: ElementOf<K>): ElementOf<K> {
    return Atomics.xor(this.integerCells("xor"), i, value as never) as ElementOf<K>;
  }

  private integerCells(op: string): Int32Array {
    if (this.float) throw new InvalidArgumentError(`${op} is a bitwise operation, for integer kinds only; this is a ${this.kind}.`);
    return this.cells as Int32Array;
  }

  /** Compare-and-swap loop over the float's bits; returns the previous value. */
  private floatUpdate(i: number, update: (previous: number) => number): ElementOf<K> {
    const cells = this.cells as Int32Array;
    let bits = Atomics.load(cells, i) as number | bigint;
    for (;;) {
      const previous = this.fromBits(bits);
      const next = this.toBits(update(previous));
      const seen = Atomics.compareExchange(cells, i, bits as never, next as never) as number | bigint;
      if (seen === bits) return previous as ElementOf<K>;
      bits = seen;
    }
  }
}
