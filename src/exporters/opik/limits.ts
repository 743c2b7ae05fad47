import type { AnyValue } from '../../pdata/traces.js';

/** Opik's limits for tags (enforced by its API on updates, and by us on everything we send). */
export const MAX_TAGS = 50;
export const MAX_TAG_LENGTH = 100;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Why the exporter changed an item before sending it (a label of the adjustments counter). */
export type Adjustment =
  | 'tags_truncated'
  | 'tags_dropped'
  | 'usage_not_an_integer'
  | 'cost_not_a_number';

/**
 * Tags as Opik reads them (`extractTags`: a string array, a JSON array text, or comma-separated
 * text), trimmed, without blanks or repeats, each cut to 100 characters, at most 50.
 */
export function normaliseTags(
  value: AnyValue | undefined,
  adjust: (a: Adjustment) => void,
): string[] {
  const raw = rawTags(value);
  const out: string[] = [];
  for (const tag of raw) {
    let t = tag.trim();
    if (t.length > MAX_TAG_LENGTH) {
      t = cutUtf16(t, MAX_TAG_LENGTH);
      adjust('tags_truncated');
    }
    if (t !== '' && !out.includes(t)) out.push(t);
  }
  if (out.length > MAX_TAGS) {
    adjust('tags_dropped');
    out.length = MAX_TAGS;
  }
  return out;
}

function rawTags(value: AnyValue | undefined): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value !== 'string') return [];
  if (value.startsWith('[') && value.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed.filter((v): v is string => typeof v === 'string');
    } catch {
      // not JSON: read as comma-separated, as Opik does
    }
  }
  return value.split(',');
}

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
function cutUtf16(text: string, max: number): string {
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * A `gen_ai.usage.*` value as the int32 Opik stores, or undefined when Opik would reject or
 * ignore it: Opik answers 400 for the whole request on a string that is neither an integer nor a
 * JSON object, ignores doubles, and wraps ints beyond 32 bits. Integral doubles and integer
 * strings are accepted (JSON-born token counts).
 */
export function usageInt(value: AnyValue): number | undefined {
  let n: number | undefined;
  if (typeof value === 'bigint') n = Number(value);
  else if (typeof value === 'number' && Number.isInteger(value)) n = value;
  else if (typeof value === 'string' && /^[+-]?\d{1,10}$/.test(value.trim())) n = Number(value);
  return n !== undefined && n >= INT32_MIN && n <= INT32_MAX ? n : undefined;
}

/** A cost in USD that Opik accepts (a finite number ≥ 0, or a numeric string). */
export function costNumber(value: AnyValue): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'bigint'
        ? Number(value)
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Where an id's embedded time lies relative to an ingestion window around now. */
export function windowVerdict(
  idTimestampMs: number,
  nowMs: number,
  windowMs: number,
): 'ok' | 'too_old' | 'too_far_future' {
  if (idTimestampMs < nowMs - windowMs) return 'too_old';
  if (idTimestampMs > nowMs + windowMs) return 'too_far_future';
  return 'ok';
}
