/**
 * A manager Value's typecode: Python's array/ctypes letters (`"i"`, `"d"`…) or weft's element
 * kinds (`"int32"`, `"float64"`…). Python's manager stores the typecode and never checks it;
 * weft checks every value set against it, so a Value declared `"i"` holds integers of that range.
 */
import { InvalidArgumentError } from "../errors.js";
import { describe } from "../options.js";
import { isElementKind, type ElementKind } from "../sync/elements.js";

/** What `manager.Value(typecode, value)` accepts as its typecode. */
export type Typecode = ElementKind | "b" | "B" | "h" | "H" | "i" | "I" | "q" | "Q" | "f" | "d";

const LETTERS: Readonly<Record<string, ElementKind>> = {
  b: "int8", B: "uint8", h: "int16", H: "uint16", i: "int32", I: "uint32",
  q: "bigint64", Q: "biguint64", f: "float32", d: "float64",
};

/** The ranges of the integer kinds that hold numbers. */
const RANGES: Partial<Record<ElementKind, readonly [number, number]>> = {
  int8: [-(2 ** 7), 2 ** 7 - 1], uint8: [0, 2 ** 8 - 1], int16: [-(2 ** 15), 2 ** 15 - 1], uint16: [0, 2 ** 16 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1],
};

const BIG_RANGES: Partial<Record<ElementKind, readonly [bigint, bigint]>> = {
  bigint64: [-(2n ** 63n), 2n ** 63n - 1n], biguint64: [0n, 2n ** 64n - 1n],
};

/** Checks a typecode; returns it as weft's element kind. */
export function parseTypecode(typecode: unknown, where: string): ElementKind {
  if (isElementKind(typecode)) return typecode;
  if (typeof typecode === "string" && Object.hasOwn(LETTERS, typecode)) return LETTERS[typecode]!;
  throw new InvalidArgumentError(
    `${where}: unknown typecode ${typeof typecode === "string" ? JSON.stringify(typecode) : describe(typecode)}; use one of ${Object.keys(LETTERS).join(" ")} (Python's) or ${Object.values(LETTERS).join(", ")}.`,
  );
}

/** Checks that `value` fits `kind` (no kind: anything); returns it. */
export function checkTyped(kind: ElementKind | null, value: unknown, where: string): unknown {
  if (kind === null) return value;
  const range = RANGES[kind];
  const bigRange = BIG_RANGES[kind];
  const fits = bigRange
    ? typeof value === "bigint" && value >= bigRange[0] && value <= bigRange[1]
    : range
      ? Number.isInteger(value) && (value as number) >= range[0] && (value as number) <= range[1]
      : typeof value === "number";
  if (!fits) {
    const wanted = bigRange ? `a bigint from ${bigRange[0]} to ${bigRange[1]}` : range ? `an integer from ${range[0]} to ${range[1]}` : "a number";
    throw new InvalidArgumentError(`${where}: a Value of typecode ${kind} holds ${wanted}; got ${describe(value)}.`);
  }
  return value;
}
