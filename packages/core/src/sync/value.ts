/** A shared scalar, like Python's multiprocessing.Value. */
import { registerSharedType, SHARED_HANDLE, type SharedDescriptor, type SharedHandle } from "../shared-handle.js";
import { AtomicCells, checkElementKind, type ElementKind, type ElementOf } from "./elements.js";
import { Lock, lockOver } from "./lock.js";
import { adopt, allocateShared, checkMemoryState, type MemoryState } from "./shared-memory.js";

const TYPE = "weft.threading.Value";
// Layout: [0..8) the lock of getLock() (futex word, holder), [8..16) the value.
const VALUE_OFFSET = 8;
const BYTES = 16;

/** The kinds a Value can hold; "int32", "float64" and "bigint64" are the usual ones. */
export type ValueKind = ElementKind;

interface ValueState extends MemoryState {
  readonly kind: ElementKind;
}

/**
 * A number (or bigint) in shared memory, like Python's `multiprocessing.Value` (e.g.
 * `Value("i", 0)` → `new Value("int32", 0)`, `"d"` → "float64", `"q"` → "bigint64"). Pass it to
 * threads as an ordinary argument; every thread sees the same memory. (Processes share no
 * memory: weft refuses to send it to one.)
 *
 * Each operation is atomic on its own: `add`, `sub`, `and`, `or`, `xor`, `exchange` and
 * `compareExchange` return the previous value, like `Atomics`. float64 `add`/`sub` are
 * compare-and-swap loops over the bits; `compareExchange` on floats compares bit patterns (so
 * 0 ≠ -0). For a read-modify-write sequence, hold `getLock()` (Python's `get_lock()`).
 */
export class Value<K extends ValueKind = ValueKind> implements SharedHandle {
  private readonly cells: AtomicCells<K>;
  private readonly state: ValueState;

  /** @param initial the starting value (default 0 / 0n). */
  constructor(kind: K, initial?: ElementOf<K>) {
    checkElementKind(kind, "Value(kind)");
    const buffer = allocateShared(BYTES, "multiprocessing.Value");
    this.state = { buffer, byteOffset: 0, kind };
    this.cells = new AtomicCells(kind, buffer, VALUE_OFFSET, 1);
    if (initial !== undefined) this.cells.store(0, this.cells.check(initial, "Value(kind, initial)"));
  }

  /** The element kind. */
  get kind(): K {
    return this.cells.kind;
  }

  /** The value (an atomic load); assigning stores atomically. `v.value += 1` is NOT atomic: use `add`. */
  get value(): ElementOf<K> {
    return this.cells.load(0);
  }

  set value(value: ElementOf<K>) {
    this.cells.store(0, this.cells.check(value, "Value.value"));
  }

  /** Atomic read. */
  load(): ElementOf<K> {
    return this.cells.load(0);
  }

  /** Atomic write; returns `value`. */
  store(value: ElementOf<K>): ElementOf<K> {
    return this.cells.store(0, this.cells.check(value, "Value.store"));
  }

  /** Atomically adds `value` (integers wrap around); returns the previous value. */
  add(value: ElementOf<K>): ElementOf<K> {
    return this.cells.add(0, this.cells.check(value, "Value.add"));
  }

  /** Atomically subtracts `value`; returns the previous value. */
  sub(value: ElementOf<K>): ElementOf<K> {
    return this.cells.sub(0, this.cells.check(value, "Value.sub"));
  }

  /** Atomic bitwise and (integer kinds); returns the previous value. */
  and(value: ElementOf<K>): ElementOf<K> {
    return this.cells.and(0, this.cells.check(value, "Value.and"));
  }

  /** Atomic bitwise or (integer kinds); returns the previous value. */
  or(value: ElementOf<K>): ElementOf<K> {
    return this.cells.or(0, this.cells.check(value, "Value.or"));
  }

  /** Atomic bitwise xor (integer kinds); returns the previous value. */
  xor(value: ElementOf<K>): ElementOf<K> {
    return this.cells.xor(0, this.cells.check(value, "Value.xor"));
  }

  /** Atomically replaces the value; returns the previous one. */
  exchange(value: ElementOf<K>): ElementOf<K> {
    return this.cells.exchange(0, this.cells.check(value, "Value.exchange"));
  }

  /** Stores `replacement` if the value is `expected`; returns the value found (equal to `expected` on success). */
  compareExchange(expected: ElementOf<K>, replacement: ElementOf<K>): ElementOf<K> {
    const cells = this.cells;
    return cells.compareExchange(0, cells.check(expected, "Value.compareExchange"), cells.check(replacement, "Value.compareExchange"));
  }

  /** The threading Lock that comes with this Value (Python's `get_lock()`), shared by every thread's copy. */
  getLock(): Lock {
    return lockOver(this.state.buffer, this.state.byteOffset);
  }

  [SHARED_HANDLE](): SharedDescriptor {
    return { type: TYPE, state: this.state };
  }
}

registerSharedType(TYPE, (state) => {
  const { buffer, byteOffset } = checkMemoryState(state, TYPE, BYTES);
  const kind = checkElementKind((state as Partial<ValueState>).kind, `Cannot revive ${TYPE}`);
  return adopt(Value.prototype, {
    state: { buffer, byteOffset, kind },
    cells: new AtomicCells(kind, buffer, byteOffset + VALUE_OFFSET, 1),
  });
});
