import type { AnyValue } from '../../pdata/traces.js';

/**
 * JSON values the exporter writes to Opik. `bigint` stands for an integer that must keep every
 * digit (event times in nanoseconds); `toJson` writes it as a bare JSON number.
 */
export type Json =
  | string
  | number
  | boolean
  | bigint
  | null
  | RawJson
  | Json[]
  | { [key: string]: Json };

/**
 * JSON text written into a request as it is (an Opik object's `input`, `output` or `metadata` as
 * the `opik` receiver kept it, numbers as sent). Only made from text that parses (received-objects.ts).
 */
export class RawJson {
  constructor(readonly text: string) {}
  toJSON(): unknown {
    if (plainOnly) throw NOT_PLAIN;
    return JSON.parse(this.text);
  }
}

/** While set, `RawJson` refuses to be serialised by `JSON.stringify` (see `toJson`). */
let plainOnly = false;
const NOT_PLAIN = new Error('RawJson inside');

/**
 * What Opik stores for one attribute value in an `input`/`output`/`metadata` column (its
 * `extractToJsonColumn`, reference/opik.md §2): a string starting with `"`, `[` or `{` is parsed
 * as JSON (a JSON string holding JSON is unwrapped once; text that does not parse stays text);
 * ints, doubles and bools stay scalars; an array becomes an array of its string elements, other
 * elements becoming ""; a map or bytes is dropped (undefined). The REST path writes exactly this,
 * so both paths store the same value.
 */
export function opikColumnValue(value: AnyValue): Json | undefined {
  if (typeof value === 'string') return parseLikeOpik(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : ''));
  return undefined;
}

/**
 * False for text Opik's JSON reader could read differently from ours: it starts like JSON but
 * does not parse (Jackson reads a valid prefix and ignores the rest), or it is a JSON string
 * whose content is not JSON (Jackson may read a leading number or word of it).
 */
export function parsesAlike(text: string): boolean {
  if (!(text.startsWith('"') || text.startsWith('[') || text.startsWith('{'))) return true;
  try {
    const outer: unknown = JSON.parse(text);
    if (typeof outer === 'string') JSON.parse(outer);
    return true;
  } catch {
    return false;
  }
}

function parseLikeOpik(text: string): Json {
  if (!(text.startsWith('"') || text.startsWith('[') || text.startsWith('{'))) return text;
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    return text;
  }
  if (typeof parsed !== 'string') return parsed;
  try {
    return JSON.parse(parsed) as Json;
  } catch {
    return parsed;
  }
}

/**
 * A pdata value as plain JSON, keeping what OTLP can carry: maps become objects, bytes base64,
 * ints numbers (strings beyond 2^53, so no digit is lost), non-finite doubles their names.
 */
export function anyValueToJson(value: AnyValue): Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(anyValueToJson);
  const out: { [key: string]: Json } = {};
  for (const kv of (value as { kvlist: readonly { key: string; value: AnyValue }[] }).kvlist) {
    out[kv.key] = anyValueToJson(kv.value);
  }
  return out;
}

/**
 * JSON text of `value`; a `bigint` is written as a bare number with all its digits, a `RawJson`
 * as its text. Values with neither (most) go through `JSON.stringify`, which writes the same
 * text several times faster.
 */
export function toJson(value: Json | undefined): string {
  if (typeof value === 'object' && value !== null && !(value instanceof RawJson)) {
    plainOnly = true;
    try {
      return JSON.stringify(value);
    } catch (err) {
      // A bigint (TypeError) or a RawJson inside: written piece by piece below.
      if (err !== NOT_PLAIN && !(err instanceof TypeError)) throw err;
    } finally {
      plainOnly = false;
    }
  }
  return piecewiseJson(value);
}

function piecewiseJson(value: Json | undefined): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(piecewiseJson).join(',')}]`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined) parts.push(`${JSON.stringify(k)}:${piecewiseJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}
