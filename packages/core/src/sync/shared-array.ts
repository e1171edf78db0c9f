/** A shared typed array, like Python's multiprocessing.Array. */
import { registerSharedType, SHARED_HANDLE, type SharedDescriptor, type SharedHandle } from "../shared-handle.js";
import { InvalidArgumentError } from "../errors.js";
import { AtomicCells, checkElementKind, elementSize, type ElementKind, type ElementOf, type TypedArrayOf } from "./elements.js";
import { Lock, lockOver } from "./lock.js";
import { adopt, allocateShared, checkMemoryState, type MemoryState } from "./shared-memory.js";

const TYPE = "weft.threading.SharedArray";
// Layout: [0..8) the lock of getLock() (futex word, holder), [8..) the elements (8-aligned for every kind).
const DATA_OFFSET = 8;
const MAX_LENGTH = 2 ** 30;

interface SharedArrayState extends MemoryState {
  readonly kind: ElementKind;
  readonly length: number;
}

function checkLength(length: unknown, what: string): number {
  if (typeof length !== "number" || !Number.isInteger(length) || length < 0 || length > MAX_LENGTH) {
    throw new InvalidArgumentError(`${what}: the length must be an integer from 0 to ${MAX_LENGTH}; got ${String(length)}.`);
  }
  return length;
}

/**
 * A fixed-length typed array in shared memory, like Python's `multiprocessing.Array` (named
 * SharedArray so as not to shadow the global Array): `Array("i", 10)` →
 * `SharedArray.of("int32", 10)`, `Array("d", [1, 2])` → `SharedArray.from("float64", [1, 2])`.
 * Pass it to threads as an ordinary argument; every thread sees the same memory. (Processes
 * share no memory: weft refuses to send it to one.)
 *
 * `array` is the typed-array view, for plain (non-atomic) reads and writes and for typed-array
 * methods; `load`, `store`, `add`, `sub`, `and`, `or`, `xor`, `exchange` and `compareExchange`
 * are atomic per element and return the previous value like `Atomics` (floats through their bit
 * pattern). For multi-element updates, hold `getLock()` (Python's `get_lock()`).
 */
export class SharedArray<K extends ElementKind = ElementKind> implements SharedHandle, Iterable<ElementOf<K>> {
  private readonly cells: AtomicCells<K>;
  private readonly state: SharedArrayState;

  private constructor(kind: K, length: number) {
    const buffer = allocateShared(DATA_OFFSET + length * elementSize(kind), "multiprocessing.Array (SharedArray)");
    this.state = { buffer, byteOffset: 0, kind, length };
    this.cells = new AtomicCells(kind, buffer, DATA_OFFSET, length);
  }

  /** A zero-filled shared array of `length` elements of `kind`. */
  static of<K extends ElementKind>(kind: K, length: number): SharedArray<K> {
    checkElementKind(kind, "SharedArray.of(kind)");
    return new SharedArray(kind, checkLength(length, "SharedArray.of"));
  }

  /** A shared array holding `values` (numbers, or bigints for the 64-bit integer kinds). */
  static from<K extends ElementKind>(kind: K, values: Iterable<ElementOf<K>> | ArrayLike<ElementOf<K>>): SharedArray<K> {
    checkElementKind(kind, "SharedArray.from(kind)");
    const items = Array.from(values as Iterable<ElementOf<K>>);
    const array = new SharedArray(kind, checkLength(items.length, "SharedArray.from"));
    const cells = array.cells;
    items.forEach((item, i) => {
      (cells.view as unknown as ElementOf<K>[])[i] = cells.check(item, `SharedArray.from: values[${i}]`);
    });
    return array;
  }

  /** The element kind. */
  get kind(): K {
    return this.cells.kind;
  }

  /** The number of elements. */
  get length(): number {
    return this.state.length;
  }

  /** The typed-array view over the shared elements (plain accesses are not atomic). */
  get array(): TypedArrayOf<K> {
    return this.cells.view;
  }

  /** Atomic read of element `i`. */
  load(i: number): ElementOf<K> {
    return this.cells.load(this.cells.index(i));
  }

  /** Atomic write of element `i`; returns `value`. */
  store(i: number, value: ElementOf<K>): ElementOf<K> {
    return this.cells.store(this.cells.index(i), this.cells.check(value, "SharedArray.store"));
  }

  /** Atomically adds to element `i` (integers wrap around); returns its previous value. */
  add(i: number, value: ElementOf<K>): ElementOf<K> {
    return this.cells.add(this.cells.index(i), this.cells.check(value, "SharedArray.add"));
  }

  /** Atomically subtracts from element `i`; returns its previous value. */
  sub(i: number, value: ElementOf<K>): ElementOf<K> {
    return this.cells.sub(this.cells.index(i), this.cells.check(value, "SharedArray.sub"));
  }

  /** Atomic bitwise and on element `i` (integer kinds); returns its previous value. */
  and(i: number, value: ElementOf<K>): ElementOf<K> {
    return this.cells.and(this.cells.index(i), this.cells.check(value, "SharedArray.and"));
  }

  /** Atomic bitwise or on element `i` (integer kinds); returns its previous value. */
  or(i: number, value: ElementOf<K>): ElementOf<K> {
    return this.cells.or(this.cells.index(i), this.cells.check(value, "SharedArray.or"));
  }

  /** Atomic bitwise xor on element `i` (integer kinds); returns its previous value. */
  xor(i: number, value: ElementOf<K>): ElementOf<K> {
    return this.cells.xor(this.cells.index(i), this.cells.check(value, "SharedArray.xor"));
  }

  /** Atomically replaces element `i`; returns its previous value. */
  exchange(i: number, value: ElementOf<K>): ElementOf<K> {
    return this.cells.exchange(this.cells.index(i), this.cells.check(value, "SharedArray.exchange"));
  }

  /** Stores `replacement` into element `i` if it is `expected`; returns the value found. */
  compareExchange(i: number, expected: ElementOf<K>, replacement: ElementOf<K>): ElementOf<K> {
    const cells = this.cells;
    return cells.compareExchange(cells.index(i), cells.check(expected, "SharedArray.compareExchange"), cells.check(replacement, "SharedArray.compareExchange"));
  }

  /** The threading Lock that comes with this array (Python's `get_lock()`), shared by every thread's copy. */
  getLock(): Lock {
    return lockOver(this.state.buffer, this.state.byteOffset);
  }

  /** A plain JS array copy of the elements (atomic reads). */
  toArray(): ElementOf<K>[] {
    const out: ElementOf<K>[] = [];
    for (let i = 0; i < this.state.length; i++) out.push(this.cells.load(i));
    return out;
  }

  *[Symbol.iterator](): Iterator<ElementOf<K>> {
    for (let i = 0; i < this.state.length; i++) yield this.cells.load(i);
  }

  [SHARED_HANDLE](): SharedDescriptor {
    return { type: TYPE, state: this.state };
  }
}

registerSharedType(TYPE, (state) => {
  const { kind: rawKind, length: rawLength } = (state ?? {}) as Partial<SharedArrayState>;
  const kind = checkElementKind(rawKind, `Cannot revive ${TYPE}`);
  const length = checkLength(rawLength, `Cannot revive ${TYPE}`);
  const { buffer, byteOffset } = checkMemoryState(state, TYPE, DATA_OFFSET + length * elementSize(kind));
  return adopt(SharedArray.prototype, {
    state: { buffer, byteOffset, kind, length },
    cells: new AtomicCells(kind, buffer, byteOffset + DATA_OFFSET, length),
  });
});
