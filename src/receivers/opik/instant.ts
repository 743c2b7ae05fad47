import { JsonNumber, type LosslessJson } from './lossless-json.js';

/**
 * Reads a time as Opik's Jackson `InstantDeserializer` does (reference/opik-api-contracts.md §2):
 * an ISO-8601 instant with `Z` or a numeric offset and up to nine fractional digits (the Python
 * SDK turns Dify's naive datetimes into the worker's local zone, `+08:00`), or a bare number of
 * epoch seconds. Returns nanoseconds since the epoch, exactly, or undefined when Opik could not
 * read it either.
 */
export function parseInstant(value: LosslessJson): bigint | undefined {
  if (typeof value === 'string') return parseIso(value);
  if (value instanceof JsonNumber) return parseEpochSeconds(value.text);
  return undefined;
}

const ISO =
  /^([+-]?\d{4,9})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)$/i;

function parseIso(text: string): bigint | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const offsetSeconds = offsetOf(m[8]!);
  if (offsetSeconds === undefined) return undefined;
  // Date.UTC maps years 0–99 to 1900–1999; set the year afterwards to avoid that.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, Math.min(second, 59)));
  date.setUTCFullYear(year);
  // A leap second (:60) is read as the last instant of :59, as ISO_INSTANT smooths it.
  const leap = second === 60 ? 999_999_999n : 0n;
  const fraction = BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  const seconds = BigInt(date.getTime() / 1000) - BigInt(offsetSeconds);
  return seconds * 1_000_000_000n + (leap > 0n ? leap : fraction);
}

function daysIn(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; 2000 is a leap year, 2001 is not.
  return new Date(Date.UTC(isLeap(year) ? 2000 : 2001, month, 0)).getUTCDate();
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function offsetOf(zone: string): number | undefined {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replaceAll(':', '');
  const h = Number(digits.slice(0, 2));
  const mi = Number(digits.slice(2, 4) || '0');
  const s = Number(digits.slice(4, 6) || '0');
  if (h > 18 || mi > 59 || s > 59) return undefined;
  return sign * (h * 3600 + mi * 60 + s);
}

/** `java.time.Instant`'s range in seconds: a number beyond it is Jackson's 400, as any bad time. */
const INSTANT_MAX_SECONDS = 31_556_889_864_403_199n;

function parseEpochSeconds(text: string): bigint | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  let ns: bigint | undefined;
  if (m) {
    ns = BigInt(m[2]!) * 1_000_000_000n + BigInt((m[3] ?? '').slice(0, 9).padEnd(9, '0'));
    if (m[1] === '-') ns = -ns;
  } else {
    const ms = Number(text) * 1000;
    if (!Number.isFinite(ms)) return undefined;
    ns = BigInt(Math.round(ms)) * 1_000_000n;
  }
  const limit = INSTANT_MAX_SECONDS * 1_000_000_000n;
  return ns > limit || ns < -limit ? undefined : ns;
}
