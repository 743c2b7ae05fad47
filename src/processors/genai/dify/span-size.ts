import type { AnyValue, KeyValue, Span } from '../../../pdata/traces.js';

/** A rough size of a span in memory: enough to bound the hold, not an exact measure. */
export function approxBytes(span: Span): number {
  let n = 200 + span.name.length * 2;
  for (const kv of span.attributes) n += 48 + kv.key.length * 2 + valueBytes(kv.value);
  for (const e of span.events)
    for (const kv of e.attributes) n += 48 + kv.key.length * 2 + valueBytes(kv.value);
  return n;
}

function valueBytes(v: AnyValue): number {
  if (typeof v === 'string') return v.length * 2;
  if (v instanceof Uint8Array) return v.length;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + 16 + valueBytes(x), 0);
  if (v !== null && typeof v === 'object') {
    return (v as { kvlist: readonly KeyValue[] }).kvlist.reduce(
      (n, kv) => n + 48 + kv.key.length * 2 + valueBytes(kv.value),
      0,
    );
  }
  return 16;
}
