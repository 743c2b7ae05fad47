/**
 * Readers for the scalar fields of OTLP/JSON, following the protobuf JSON mapping: `null` means
 * "absent" (the field's default), 64-bit integers come as decimal strings or numbers, enums as
 * numbers or names, doubles may be "NaN"/"Infinity"/"-Infinity", bytes are base64 (either
 * alphabet, padding optional). Each reader either returns the value or throws a `FieldError`
 * named after the field.
 */
import { FieldError, NONE } from './field-error.js';
import { type IdSize, normalizeHexId } from './hex-id.js';
import { MAX_INT64, MAX_UINT64, MIN_INT64 } from './int64.js';

/** A parsed JSON object. */
export type JsonObject = { readonly [key: string]: unknown };

/** The JSON type of `v` for messages: `string`, `number`, `boolean`, `null`, `array`, `object`. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  return Array.isArray(v) ? 'array' : typeof v;
}

/** `v` for a message: strings and numbers as written, anything else by its type. */
function shown(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return jsonType(v);
  return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
}

/** A message field or list element: a JSON object (not `null`, not an array). */
export function readObject(v: unknown, field: string): JsonObject {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as JsonObject;
  throw new FieldError(field, `expected an object, got ${jsonType(v)}`);
}

/** An array field; `null` is an empty list. */
export function readArray(v: unknown, field: string): readonly unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null) return NONE;
  throw new FieldError(field, `expected an array, got ${jsonType(v)}`);
}

/** A string field; `null` is `''`. */
export function readString(v: unknown, field: string): string {
  if (typeof v === 'string') return v;
  if (v === null) return '';
  throw new FieldError(field, `expected a string, got ${jsonType(v)}`);
}

/** A bool field: `true`/`false` only (the JSON mapping has no string form); `null` is false. */
export function readBool(v: unknown, field: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === null) return false;
  throw new FieldError(field, `expected a boolean, got ${jsonType(v)}`);
}

/** A trace id (`size` 16) or span id (8) in hex, lowercased; `''` when absent or empty. */
export function readId(v: unknown, size: IdSize, field: string): string {
  if (typeof v === 'string') return normalizeHexId(v, size, field);
  if (v === null) return '';
  throw new FieldError(field, `expected a hex string, got ${jsonType(v)}`);
}

const UNSIGNED = /^\d+$/;
const SIGNED = /^-?\d+$/;

/** A uint32 or fixed32 field: a JSON number or a decimal string. */
export function readUint32(v: unknown, field: string): number {
  const n = typeof v === 'string' && UNSIGNED.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff) return n;
  if (v === null) return 0;
  throw new FieldError(field, `expected an unsigned 32-bit integer, got ${shown(v)}`);
}

/** An int64 field (`int_value`): a decimal string, or a number (exact only up to 2^53). */
export function readInt64(v: unknown, field: string): bigint {
  const n = toBigInt(v, SIGNED);
  if (n !== undefined && n >= MIN_INT64 && n <= MAX_INT64) return n;
  if (v === null) return 0n;
  throw new FieldError(field, `expected a 64-bit integer, got ${shown(v)}`);
}

/** A fixed64 field (`*_unix_nano`): a decimal string, or a number (exact only up to 2^53). */
export function readUint64(v: unknown, field: string): bigint {
  const n = toBigInt(v, UNSIGNED);
  if (n !== undefined && n >= 0n && n <= MAX_UINT64) return n;
  if (v === null) return 0n;
  throw new FieldError(field, `expected an unsigned 64-bit integer, got ${shown(v)}`);
}

function toBigInt(v: unknown, digits: RegExp): bigint | undefined {
  if (typeof v === 'string') return digits.test(v) ? BigInt(v) : undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return undefined;
}

const SPECIAL_DOUBLES: ReadonlyMap<string, number> = new Map([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
]);
const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A double field: a number, "NaN"/"Infinity"/"-Infinity", or a number in a string. */
export function readDouble(v: unknown, field: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const special = SPECIAL_DOUBLES.get(v);
    if (special !== undefined) return special;
    if (DECIMAL.test(v)) return Number(v);
  }
  if (v === null) return 0;
  throw new FieldError(field, `expected a number, got ${shown(v)}`);
}

/** An enum's JSON names and its largest number; numbers 0..max are its values. */
export interface EnumSpec {
  readonly label: string;
  readonly names: ReadonlyMap<string, number>;
  readonly max: number;
}

/** An enum field: its number or its name (`"SPAN_KIND_SERVER"`). */
export function readEnum(v: unknown, spec: EnumSpec, field: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= spec.max) return v;
  if (typeof v === 'string') {
    const n = spec.names.get(v);
    if (n !== undefined) return n;
  }
  if (v === null) return 0;
  throw new FieldError(field, `expected ${spec.label}, got ${shown(v)}`);
}

export const SPAN_KIND: EnumSpec = {
  label: 'a SpanKind (0 to 5 or a SPAN_KIND_* name)',
  names: new Map(
    ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'].map((n, i) => [
      `SPAN_KIND_${n}`,
      i,
    ]),
  ),
  max: 5,
};

export const STATUS_CODE: EnumSpec = {
  label: 'a StatusCode (0 to 2 or a STATUS_CODE_* name)',
  names: new Map(['UNSET', 'OK', 'ERROR'].map((n, i) => [`STATUS_CODE_${n}`, i])),
  max: 2,
};

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** A bytes field: standard or URL-safe base64, padded or not. */
export function readBytes(v: unknown, field: string): Uint8Array {
  if (typeof v === 'string' && BASE64.test(v) && v.replace(/=+$/, '').length % 4 !== 1) {
    // Copied out of Buffer's shared pool into an array of its own.
    return new Uint8Array(Buffer.from(v, 'base64'));
  }
  if (v === null) return new Uint8Array(0);
  throw new FieldError(field, `expected base64, got ${shown(v)}`);
}
