/**
 * The size limit on what a job carries through Redis: its encoded arguments and its encoded
 * result. Measured as the UTF-8 length of the JSON that BullMQ stores.
 */
import { InvalidArgumentError } from "@weft/core";
import { PayloadTooLargeError, type PayloadKind } from "./errors.js";

/** Default limit on a job's encoded arguments and on its encoded result: 16 MiB. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

/** The UTF-8 length of a string, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair: two UTF-16 units, four UTF-8 bytes.
      bytes += 2;
      i++;
    } else bytes += 2;
  }
  return bytes;
}

/** Throws PayloadTooLargeError if `encoded` (weft's JSON encoding of a value) is longer than `limit` bytes as stored. */
export function checkPayload(encoded: unknown, limit: number, kind: PayloadKind): void {
  if (limit === Infinity) return;
  checkPayloadJson(JSON.stringify(encoded) ?? "", limit, kind);
}

/** Throws PayloadTooLargeError if `json` (as stored in Redis) is longer than `limit` bytes in UTF-8. */
export function checkPayloadJson(json: string, limit: number, kind: PayloadKind): void {
  // Each UTF-16 unit is at most three UTF-8 bytes: most payloads are decided without counting.
  if (json.length * 3 <= limit) return;
  const bytes = utf8Length(json);
  if (bytes > limit) throw new PayloadTooLargeError(kind, bytes, limit);
}

/** Checks a `maxPayloadBytes` option: a positive integer or Infinity. */
export function maxPayloadOption(value: unknown, what: string): number {
  if (value === undefined) return DEFAULT_MAX_PAYLOAD_BYTES;
  if (value === Infinity) return Infinity;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`${what} must be a positive integer (bytes) or Infinity; got ${String(value)}.`);
  }
  return value;
}
