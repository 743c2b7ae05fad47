/**
 * Trace and span ids: bytes on the protobuf wire, lowercase hex in pdata and OTLP/JSON.
 * An id is either exactly `size` bytes or empty (absent); see README.md for why all-zero and
 * empty ids are let through.
 */
import { FieldError } from './field-error.js';

/** Trace ids are 16 bytes, span ids 8. */
export type IdSize = 16 | 8;

/** `Buffer#hexSlice`: present on every Node Buffer, though missing from @types/node. */
type HexSlicer = Buffer & { hexSlice(start: number, end: number): string };

/**
 * Lowercase hex of a decoded id, `''` for an empty one. protobufjs hands ids over as Buffer views
 * of the request (or `[]` when absent); `hexSlice` skips `toString`'s argument handling, which is
 * measurable at several ids per span.
 */
export function idFromBytes(
  bytes: Uint8Array | readonly number[],
  size: IdSize,
  field: string,
): string {
  const n = bytes.length;
  if (n === size) {
    if (Buffer.isBuffer(bytes)) return (bytes as HexSlicer).hexSlice(0, n);
    return Buffer.from(bytes as Uint8Array).toString('hex');
  }
  if (n === 0) return '';
  throw new FieldError(field, `expected ${size} bytes, got ${n}`);
}

const LOWER_HEX = /^[0-9a-f]*$/;
const ANY_HEX = /^[0-9a-fA-F]*$/;

/**
 * A hex id checked for length and characters, lowercased (OTLP/JSON senders may use upper case;
 * pdata compares ids with `===`). `''` stays `''`.
 */
export function normalizeHexId(hex: string, size: IdSize, field: string): string {
  const n = hex.length;
  if (n === size * 2 || n === 0) {
    if (LOWER_HEX.test(hex)) return hex;
    if (ANY_HEX.test(hex)) return hex.toLowerCase();
  }
  throw badHexId(hex, size, field);
}

/** The error for a pdata id that is not `size` bytes of hex. */
export function badHexId(hex: string, size: IdSize, field: string): FieldError {
  return new FieldError(field, hexIdProblem(hex, size));
}

function hexIdProblem(hex: string, size: IdSize): string {
  const expected = `expected ${size * 2} hex characters`;
  return hex.length === size * 2 || hex.length === 0
    ? `${expected}, got ${JSON.stringify(hex)}`
    : `${expected}, got ${hex.length}`;
}
