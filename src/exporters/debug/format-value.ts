import type { AnyValue, Attributes } from '../../pdata/traces.js';

/**
 * A value with its OTLP type, as the Collector's debug exporter shows it (`Str(..)`, `Int(..)`).
 * Strings are JSON-quoted so that a multi-line prompt stays on one line.
 */
export function formatValue(value: AnyValue): string {
  if (value === null) return 'Empty()';
  if (typeof value === 'string') return `Str(${JSON.stringify(value)})`;
  if (typeof value === 'bigint') return `Int(${value})`;
  if (typeof value === 'number') return `Double(${value})`;
  if (typeof value === 'boolean') return `Bool(${value})`;
  if (value instanceof Uint8Array) return `Bytes(${Buffer.from(value).toString('base64')})`;
  if (Array.isArray(value)) return `Slice([${value.map(formatValue).join(', ')}])`;
  const map = (value as { kvlist: Attributes }).kvlist;
  return `Map({${map.map((kv) => `${JSON.stringify(kv.key)}: ${formatValue(kv.value)}`).join(', ')}})`;
}

/** Unix nanoseconds as an RFC 3339 UTC time with all nine fraction digits; `0` is unset. */
export function formatTime(unixNano: bigint): string {
  if (unixNano === 0n) return '(unset)';
  const ms = unixNano / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString(); // 2026-01-02T03:04:05.678Z
  const subMs = (unixNano % 1_000_000n).toString().padStart(6, '0');
  return `${iso.slice(0, -1)}${subMs}Z`;
}

/** A span's length in the largest unit that keeps it readable: `850ns`, `12.5µs`, `3.2ms`, `1.25s`. */
export function formatDuration(start: bigint, end: bigint): string {
  if (start === 0n || end === 0n) return '?';
  const ns = end - start;
  const abs = ns < 0n ? -ns : ns;
  const sign = ns < 0n ? '-' : '';
  if (abs < 1_000n) return `${sign}${abs}ns`;
  const [unit, div] =
    abs < 1_000_000n ? ['µs', 1e3] : abs < 1_000_000_000n ? ['ms', 1e6] : ['s', 1e9];
  return `${sign}${Number((Number(abs) / div).toFixed(3))}${unit}`;
}
