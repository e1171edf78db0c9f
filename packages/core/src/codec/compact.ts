/**
 * The compact codec: plain values written into (and read from) a DataView, for the fast lane's
 * shared-memory mailbox. The writer declines (returns false) anything it does not carry, and the
 * caller sends that value by message instead.
 */

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

export class Writer {
  offset: number;
  readonly end: number;
  constructor(readonly view: DataView, start: number, size: number) {
    this.offset = start;
    this.end = start + size;
  }
  room(bytes: number): boolean {
    return this.offset + bytes <= this.end;
  }
  /** Writes `value`; false if it is not a plain value or does not fit. */
  value(value: unknown, depth = 0): boolean {
    if (depth > 32 || !this.room(9)) return false;
    const view = this.view;
    switch (typeof value) {
      case "undefined":
        view.setUint8(this.offset++, T_UNDEFINED);
        return true;
      case "boolean":
        view.setUint8(this.offset++, value ? T_TRUE : T_FALSE);
        return true;
      case "number":
        if ((value | 0) === value && !Object.is(value, -0)) {
          view.setUint8(this.offset++, T_INT32);
          view.setInt32(this.offset, value);
          this.offset += 4;
          return true;
        }
        view.setUint8(this.offset++, T_NUMBER);
        view.setFloat64(this.offset, value);
        this.offset += 8;
        return true;
      case "string":
        return this.string(value);
      case "object": {
        if (value === null) {
          view.setUint8(this.offset++, T_NULL);
          return true;
        }
        if (Array.isArray(value)) {
          view.setUint8(this.offset++, T_ARRAY);
          view.setUint32(this.offset, value.length);
          this.offset += 4;
          for (const item of value) if (!this.value(item, depth + 1)) return false;
          return true;
        }
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) return false;
        const keys = Object.keys(value);
        view.setUint8(this.offset++, T_OBJECT);
        view.setUint32(this.offset, keys.length);
        this.offset += 4;
        for (const key of keys) {
          if (!this.string(key, false) || !this.value((value as Record<string, unknown>)[key], depth + 1)) return false;
        }
        return true;
      }
      default:
        return false;
    }
  }
  string(text: string, tagged = true): boolean {
    if (!this.room(5 + text.length * 2)) return false;
    if (tagged) this.view.setUint8(this.offset++, T_STRING);
    this.view.setUint32(this.offset, text.length);
    this.offset += 4;
    for (let i = 0; i < text.length; i++) {
      this.view.setUint16(this.offset, text.charCodeAt(i));
      this.offset += 2;
    }
    return true;
  }
}

export class Reader {
  constructor(readonly view: DataView, public offset: number) {}
  value(): unknown {
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
        const n = view.getFloat64(this.offset);
        this.offset += 8;
        return n;
      }
      case T_INT32: {
        const n = view.getInt32(this.offset);
        this.offset += 4;
        return n;
      }
      case T_STRING:
        return this.string();
      case T_ARRAY: {
        const length = view.getUint32(this.offset);
        this.offset += 4;
        const out = new Array(length);
        for (let i = 0; i < length; i++) out[i] = this.value();
        return out;
      }
      default: {
        const count = view.getUint32(this.offset);
        this.offset += 4;
        const out: Record<string, unknown> = {};
        for (let i = 0; i < count; i++) {
          const key = this.string();
          out[key] = this.value();
        }
        return out;
      }
    }
  }
  string(): string {
    const length = this.view.getUint32(this.offset);
    this.offset += 4;
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

/** Writes `value` into `size` bytes of `view` from `start`; false if it is not carried or does not fit. */
export function encodeCompact(view: DataView, start: number, size: number, value: unknown): boolean {
  return new Writer(view, start, size).value(value);
}

/** Reads a value that {@link encodeCompact} wrote at `start`. */
export function decodeCompact(view: DataView, start: number): unknown {
  return new Reader(view, start).value();
}
