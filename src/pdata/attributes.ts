import type { AnyValue, Attributes, KeyValue } from './traces.js';

/** The value of the first attribute named `key`, or `undefined`. */
export function getAttribute(attrs: Attributes, key: string): AnyValue | undefined {
  for (const kv of attrs) if (kv.key === key) return kv.value;
  return undefined;
}

export function getString(attrs: Attributes, key: string): string | undefined {
  const v = getAttribute(attrs, key);
  return typeof v === 'string' ? v : undefined;
}

/** An integer attribute as a JS number (int or integral double), else `undefined`. */
export function getInt(attrs: Attributes, key: string): number | undefined {
  const v = getAttribute(attrs, key);
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  return undefined;
}

/** A copy of `attrs` where `key` is set to `value` (replacing the first occurrence, else appended). */
export function withAttribute(attrs: Attributes, key: string, value: AnyValue): Attributes {
  const i = attrs.findIndex((kv) => kv.key === key);
  if (i < 0) return [...attrs, { key, value }];
  const out = attrs.slice();
  out[i] = { key, value };
  return out;
}

/** A copy of `attrs` without the keys `drop` matches. */
export function withoutAttributes(attrs: Attributes, drop: (key: string) => boolean): Attributes {
  return attrs.filter((kv) => !drop(kv.key));
}

/**
 * Builds attributes from a plain record, skipping `undefined` values. Integral JS numbers become
 * OTLP ints (`bigint`), the rest stay doubles: token counts must reach Opik as ints.
 */
export function attributesFrom(record: Record<string, AnyValue | undefined>): KeyValue[] {
  const out: KeyValue[] = [];
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (value === undefined) continue;
    out.push({
      key,
      value: typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value,
    });
  }
  return out;
}
