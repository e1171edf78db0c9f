/**
 * The compact codec: values written into (and read from) a DataView, for the fast lane's
 * shared-memory mailbox. What it carries arrives exactly as structured clone would deliver it —
 * holes stay holes, extra array properties stay, an own "__proto__" key stays an own key, shared
 * references and cycles stay shared — so that a call returns the same shape whichever path
 * carried it. It carries undefined, null, booleans, numbers (NaN and -0 included), bigints,
 * strings, arrays and plain objects; it declines (returns false) anything else, anything nested
 * deeper than {@link COMPACT_MAX_DEPTH} and anything that does not fit, and the caller sends that
 * value by message instead. Reading never throws anything but a MalformedMessageError.
 */
import { MalformedMessageError } from "../errors.js";

/** Values nested deeper than this go by message (the reader recurses, so its depth stays small). */
export const COMPACT_MAX_DEPTH = 32;

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_NUMBER = 4;
const T_STRING = 5;
const T_ARRAY = 6;
const T_OBJECT = 7;
/** Whole numbers in int32 range travel as int32 so that they arrive as integers (JavaScriptCore computes slower on a number that came back from a float64). */
const T_INT32 = 8;
/** An array index with no element (a hole). */
const T_HOLE = 9;
/** A second reference to an object already written: its index in the order objects were first written. */
const T_REF = 10;
const T_BIGINT = 11;

/** Thrown inside the writer to give up; never escapes it. */
const DECLINE = Symbol("decline");

export class Writer {
  offset: number;
  readonly end: number;
  /** Objects already written, by the order they were written in (for T_REF). */
  #written: Map<object, number> | undefined;

  constructor(readonly view: DataView, start: number, size: number) {
    this.offset = start;
    this.end = start + size;
  }

  room(bytes: number): boolean {
    return this.offset + bytes <= this.end;
  }

  /** Writes `value`; false if it is not carried here or does not fit. Never throws. */
  value(value: unknown): boolean {
    try {
      this.#value(value, 0);
      return true;
    } catch {
      // Declined, or a getter threw: either way the message path carries it (or reports it).
      return false;
    }
  }

  #need(bytes: number): void {
    if (this.offset + bytes > this.end) throw DECLINE;
  }

  #value(value: unknown, depth: number): void {
    this.#need(9);
    const view = this.view;
    switch (typeof value) {
      case "undefined":
        view.setUint8(this.offset++, T_UNDEFINED);
        return;
      case "boolean":
        view.setUint8(this.offset++, value ? T_TRUE : T_FALSE);
        return;
      case "number":
        if ((value | 0) === value && !Object.is(value, -0)) {
          view.setUint8(this.offset++, T_INT32);
          view.setInt32(this.offset, value);
          this.offset += 4;
          return;
        }
        view.setUint8(this.offset++, T_NUMBER);
        view.setFloat64(this.offset, value);
        this.offset += 8;
        return;
      case "string":
        view.setUint8(this.offset++, T_STRING);
        this.#string(value);
        return;
      case "bigint":
        view.setUint8(this.offset++, T_BIGINT);
        this.#string(value.toString());
        return;
      case "object":
        if (value === null) {
          view.setUint8(this.offset++, T_NULL);
          return;
        }
        this.#object(value, depth);
        return;
      default:
        throw DECLINE;
    }
  }

  #object(object: object, depth: number): void {
    const view = this.view;
    const written = (this.#written ??= new Map());
    const seen = written.get(object);
    if (seen !== undefined) {
      view.setUint8(this.offset++, T_REF);
      view.setUint32(this.offset, seen);
      this.offset += 4;
      return;
    }
    if (depth >= COMPACT_MAX_DEPTH) throw DECLINE;
    if (Array.isArray(object)) {
      written.set(object, written.size);
      view.setUint8(this.offset++, T_ARRAY);
      view.setUint32(this.offset, object.length);
      this.offset += 4;
      let present = 0;
      for (let i = 0; i < object.length; i++) {
        if (i in object) {
          present++;
          this.#value(object[i], depth + 1);
        } else {
          this.#need(1);
          view.setUint8(this.offset++, T_HOLE);
        }
      }
      // Own keys list the indices first (ascending), then the other properties: those are the extras.
      const keys = Object.keys(object);
      this.#properties(object, keys, present, depth);
      return;
    }
    const proto = Object.getPrototypeOf(object) as object | null;
    if (proto !== Object.prototype && proto !== null) throw DECLINE;
    written.set(object, written.size);
    view.setUint8(this.offset++, T_OBJECT);
    this.#properties(object, Object.keys(object), 0, depth);
  }

  #properties(object: object, keys: readonly string[], from: number, depth: number): void {
    this.#need(4);
    this.view.setUint32(this.offset, keys.length - from);
    this.offset += 4;
    for (let i = from; i < keys.length; i++) {
      const key = keys[i]!;
      this.#string(key);
      this.#value((object as Record<string, unknown>)[key], depth + 1);
    }
  }

  #string(text: string): void {
    this.#need(4 + text.length * 2);
    const view = this.view;
    view.setUint32(this.offset, text.length);
    this.offset += 4;
    for (let i = 0; i < text.length; i++) {
      view.setUint16(this.offset, text.charCodeAt(i));
      this.offset += 2;
    }
  }
}

export class Reader {
  readonly #objects: object[] = [];

  constructor(readonly view: DataView, public offset: number, readonly end: number = view.byteLength) {}

  /** Reads one value. Throws a MalformedMessageError (never a RangeError) on anything the writer did not write. */
  value(): unknown {
    try {
      return this.#value(0);
    } catch (error) {
      if (error instanceof MalformedMessageError) throw error;
      throw new MalformedMessageError(`The fast lane's mailbox held a value its codec cannot read (${error instanceof Error ? error.message : String(error)}); it was corrupted or written by another version of weft.`);
    }
  }

  #bad(what: string): never {
    throw new MalformedMessageError(`The fast lane's mailbox held a value its codec cannot read: ${what} at byte ${this.offset}.`);
  }

  #uint32(): number {
    if (this.offset + 4 > this.end) this.#bad("a length past the end");
    const n = this.view.getUint32(this.offset);
    this.offset += 4;
    return n;
  }

  #value(depth: number): unknown {
    if (depth > COMPACT_MAX_DEPTH + 1) this.#bad("nesting deeper than the writer writes");
    if (this.offset >= this.end) this.#bad("a value past the end");
    const view = this.view;
    const tag = view.getUint8(this.offset++);
    switch (tag) {
      case T_UNDEFINED:
        return undefined;
      case T_NULL:
        return null;
      case T_FALSE:
        return false;
      case T_TRUE:
        return true;
      case T_NUMBER: {
        if (this.offset + 8 > this.end) this.#bad("a number past the end");
        const n = view.getFloat64(this.offset);
        this.offset += 8;
        return n;
      }
      case T_INT32: {
        if (this.offset + 4 > this.end) this.#bad("a number past the end");
        const n = view.getInt32(this.offset);
        this.offset += 4;
        return n;
      }
      case T_STRING:
        return this.#string();
      case T_BIGINT: {
        const digits = this.#string();
        if (!/^-?\d+$/.test(digits)) this.#bad("a malformed bigint");
        return BigInt(digits);
      }
      case T_ARRAY: {
        const length = this.#uint32();
        // Every element takes at least one byte.
        if (length > this.end - this.offset) this.#bad("an array longer than the mailbox");
        const out = new Array<unknown>(length);
        this.#objects.push(out);
        for (let i = 0; i < length; i++) {
          if (this.offset < this.end && view.getUint8(this.offset) === T_HOLE) {
            this.offset++;
            continue;
          }
          out[i] = this.#value(depth + 1);
        }
        this.#properties(out, depth);
        return out;
      }
      case T_OBJECT: {
        const out: Record<string, unknown> = {};
        this.#objects.push(out);
        this.#properties(out, depth);
        return out;
      }
      case T_REF: {
        const index = this.#uint32();
        const object = this.#objects[index];
        if (object === undefined) this.#bad("a reference to an object not read yet");
        return object;
      }
      default:
        return this.#bad(`the unknown tag ${tag}`);
    }
  }

  #properties(out: object, depth: number): void {
    const count = this.#uint32();
    for (let i = 0; i < count; i++) {
      const key = this.#string();
      const value = this.#value(depth + 1);
      // Assigning "__proto__" would set the prototype; structured clone makes it an own key.
      if (key === "__proto__") Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
      else (out as Record<string, unknown>)[key] = value;
    }
  }

  #string(): string {
    const length = this.#uint32();
    if (this.offset + length * 2 > this.end) this.#bad("a string past the end");
    let text = "";
    for (let i = 0; i < length; i += 4096) {
      const codes: number[] = [];
      for (let j = i; j < Math.min(length, i + 4096); j++) {
        codes.push(this.view.getUint16(this.offset));
        this.offset += 2;
      }
      text += String.fromCharCode(...codes);
    }
    return text;
  }
}

/** Writes `value` into `size` bytes of `view` from `start`; false if it is not carried or does not fit. Never throws. */
export function encodeCompact(view: DataView, start: number, size: number, value: unknown): boolean {
  return new Writer(view, start, size).value(value);
}

/** Reads a value that {@link encodeCompact} wrote at `start`, within `size` bytes. Throws only a MalformedMessageError. */
export function decodeCompact(view: DataView, start: number, size: number = view.byteLength - start): unknown {
  return new Reader(view, start, Math.min(view.byteLength, start + size)).value();
}
