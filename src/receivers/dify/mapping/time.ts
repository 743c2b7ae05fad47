/**
 * Dify's datetimes: ISO 8601 written by Python's `isoformat()`, naive (no offset) and in UTC
 * (the worker's clock, UTC in Dify's containers), with up to microsecond precision. They become
 * exact `bigint` Unix nanoseconds; an explicit offset, if a producer adds one, is honoured.
 */

export interface ParsedTime {
  /** Unix time in nanoseconds. */
  readonly ns: bigint;
  /** True when the text carried an offset (`Z` or `±hh:mm`). */
  readonly aware: boolean;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Parses a Dify datetime, or returns undefined when the text is not a valid ISO date-time:
 * `YYYY-MM-DD`, `T` or a space, `hh:mm:ss`, an optional fraction of 1 to 9 digits after `.` or
 * `,`, an optional `Z` or `±hh:mm` (`±hhmm`); surrounding whitespace is ignored. Read digit by
 * digit: a regular expression's match array and its eight substrings cost more than the rest of
 * a span's timing (bench/dify.mjs, `convert`).
 */
export function parseDifyTime(raw: string): ParsedTime | undefined {
  if (raw.length > 40) return undefined;
  const text = raw.trim();
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const s = digits(text, 17, 2);
  if (
    (y | mo | d | h | mi | s) < 0 ||
    text[4] !== '-' ||
    text[7] !== '-' ||
    !(text[10] === 'T' || text[10] === 't' || text[10] === ' ') ||
    text[13] !== ':' ||
    text[16] !== ':'
  ) {
    return undefined;
  }
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
  let at = 19;
  let fraction = 0;
  if (text[at] === '.' || text[at] === ',') {
    let n = 0;
    while (n < 10 && isDigit(text.charCodeAt(at + 1 + n))) n++;
    if (n === 0 || n > 9) return undefined;
    fraction = digits(text, at + 1, n) * 10 ** (9 - n);
    at += 1 + n;
  }
  const offset = offsetMinutes(text, at);
  if (offset === undefined) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const ns = BigInt(ms) * 1_000_000n + BigInt(fraction);
  if (offset === null) return { ns, aware: false };
  return { ns: ns - BigInt(offset) * 60_000_000_000n, aware: true };
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The number written by the `n` ASCII digits at `at`, or -1 if any is not a digit (or missing). */
function digits(text: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/**
 * The offset that ends the text at `at`, in minutes: null when there is none, undefined when what
 * follows is not an offset (`Z`, or a sign, two digits, an optional `:` and two digits).
 */
function offsetMinutes(text: string, at: number): number | null | undefined {
  const rest = text.length - at;
  if (rest === 0) return null;
  const sign = text[at];
  if (sign === 'Z' || sign === 'z') return rest === 1 ? 0 : undefined;
  if (sign !== '+' && sign !== '-') return undefined;
  const colon = text[at + 3] === ':' ? 1 : 0;
  if (rest !== 5 + colon) return undefined;
  const hh = digits(text, at + 1, 2);
  const mm = digits(text, at + 3 + colon, 2);
  if ((hh | mm) < 0) return undefined;
  return sign === '-' ? -(hh * 60 + mm) : hh * 60 + mm;
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
