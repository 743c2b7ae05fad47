/**
 * 64-bit integers: protobufjs reads fixed64/int64 fields as `Long` objects (two 32-bit halves);
 * pdata keeps `bigint`, which the encoders range-check before writing.
 */
import { FieldError } from './field-error.js';

/** The halves of a 64-bit value, as in a protobufjs `Long`. */
export interface LongBits {
  readonly low: number;
  readonly high: number;
}

export const MAX_UINT64 = (1n << 64n) - 1n;
export const MIN_INT64 = -(1n << 63n);
export const MAX_INT64 = (1n << 63n) - 1n;

// One 8-byte scratch view joins and splits halves without intermediate bigints (about twice as
// fast as shifting and adding). Safe to share: nothing here awaits between the write and read.
const scratch = new DataView(new ArrayBuffer(8));

/** A fixed64/uint64 field as `bigint`. protobufjs gives a `Long`, or a number without `long`. */
export function uint64FromLong(v: LongBits | number): bigint {
  if (typeof v === 'number') return BigInt(v);
  scratch.setInt32(0, v.low, true);
  scratch.setInt32(4, v.high, true);
  return scratch.getBigUint64(0, true);
}

/** An int64 field as `bigint`, negative values included. */
export function int64FromLong(v: LongBits | number): bigint {
  if (typeof v === 'number') return BigInt(v);
  scratch.setInt32(0, v.low, true);
  scratch.setInt32(4, v.high, true);
  return scratch.getBigInt64(0, true);
}

/** `v` if it fits in 64 unsigned bits (fixed64 times), else a `FieldError` at `field`. */
export function checkUint64(v: bigint, field: string): bigint {
  if (v >= 0n && v <= MAX_UINT64) return v;
  throw new FieldError(field, `expected an unsigned 64-bit integer, got ${v}`);
}

/** `v` if it fits in a signed 64-bit int (`int_value`), else a `FieldError` at `field`. */
export function checkInt64(v: bigint, field: string): bigint {
  if (v >= MIN_INT64 && v <= MAX_INT64) return v;
  throw new FieldError(field, `expected a 64-bit integer, got ${v}`);
}
