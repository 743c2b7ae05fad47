/**
 * Dify's datetimes: ISO 8601 written by Python's `isoformat()`, naive (no offset) and in UTC
 * (the worker's clock, UTC in Dify's containers), with up to microsecond precision. They become
 * exact `bigint` Unix nanoseconds; an explicit offset, if a producer adds one, is honoured.
 */

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;

export interface ParsedTime {
  /** Unix time in nanoseconds. */
  readonly ns: bigint;
  /** True when the text carried an offset (`Z` or `±hh:mm`). */
  readonly aware: boolean;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parses a Dify datetime, or returns undefined when the text is not a valid ISO date-time. */
export function parseDifyTime(text: string): ParsedTime | undefined {
  const m = ISO_RE.exec(text.length > 40 ? '' : text.trim());
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = Number(m[6]);
  // Before 1970 a time cannot be a Unix timestamp, nor the time of an Opik UUIDv7.
  if (
    y < 1970 ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > DAYS_IN_MONTH[mo - 1]! ||
    h > 23 ||
    mi > 59 ||
    s > 59
  ) {
    return undefined;
  }
  if (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const fraction = m[7] ? Number(m[7].padEnd(9, '0')) : 0;
  const offsetNs = m[8] ? offsetMinutes(m[8]) * 60_000_000_000n : 0n;
  return { ns: BigInt(ms) * 1_000_000n + BigInt(fraction) - offsetNs, aware: m[8] !== undefined };
}

function offsetMinutes(text: string): bigint {
  if (text.toUpperCase() === 'Z') return 0n;
  const digits = text.slice(1).replace(':', '');
  const minutes = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  return text.startsWith('-') ? -minutes : minutes;
}

/** Seconds as Dify reports durations (float seconds, microsecond precision) → nanoseconds. */
export function secondsToNs(seconds: number): bigint {
  return BigInt(Math.round(seconds * 1e6)) * 1000n;
}

/**
 * The millisecond timestamp Dify's Opik integration puts into its UUIDv7 ids:
 * `int(dt.timestamp() * 1000)` in Python. CPython computes a naive datetime's timestamp as
 * `seconds + microsecond / 1e6` in doubles; the same double arithmetic is done here so the ids
 * match byte for byte whatever the rounding (for present-day dates it equals exact truncation).
 */
export function pythonTimestampMs(time: ParsedTime): number {
  const seconds = time.ns / 1_000_000_000n;
  const micros = Number((time.ns % 1_000_000_000n) / 1000n);
  if (time.aware) {
    // Aware datetimes go through timedelta.total_seconds(): exact microseconds / 10**6.
    return Math.trunc(((Number(seconds) * 1e6 + micros) / 1e6) * 1000);
  }
  return Math.trunc((Number(seconds) + micros / 1e6) * 1000);
}
