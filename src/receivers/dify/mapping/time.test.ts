import { describe, expect, it } from 'vitest';
import { parseDifyTime, pythonTimestampMs, secondsToNs } from './time.js';

describe('parseDifyTime', () => {
  it.each([
    ['2026-06-12T08:30:01.123456', 1781253001123456000n, false],
    ['2026-06-12T08:30:01', 1781253001000000000n, false],
    ['2026-06-12 08:30:01.5', 1781253001500000000n, false],
    ['2026-06-12T08:30:01.123456789', 1781253001123456789n, false],
    ['2026-06-12T08:30:01.123456Z', 1781253001123456000n, true],
    ['2026-06-12T10:30:01.123456+02:00', 1781253001123456000n, true],
    ['2026-06-12T03:30:01.123456-0500', 1781253001123456000n, true],
    ['2028-02-29T00:00:00', 1835395200000000000n, false],
  ])('reads %s as UTC nanoseconds', (text, ns, aware) => {
    expect(parseDifyTime(text)).toEqual({ ns, aware });
  });

  it.each([
    '',
    'yesterday',
    '2026-06-12',
    '2026-13-01T00:00:00',
    '2026-06-31T00:00:00',
    '2027-02-29T00:00:00',
    '2026-06-12T24:00:00',
    '1969-12-31T23:59:59',
    '2026-06-12T08:30:01.1234567890',
  ])('refuses %j', (text) => {
    expect(parseDifyTime(text)).toBeUndefined();
  });
});

describe('pythonTimestampMs', () => {
  it.each([
    ['2026-06-12T14:00:01.337000', 1781272801337],
    ['2026-06-12T08:30:01.123456', 1781253001123],
    ['2026-06-12T16:00:00.250000', 1781280000250],
  ])('gives %s the millisecond CPython gives it', (text, ms) => {
    // Values checked with TZ=UTC python3: int(datetime.fromisoformat(text).timestamp() * 1000).
    expect(pythonTimestampMs(parseDifyTime(text)!)).toBe(ms);
  });

  it('truncates microseconds like int()', () => {
    expect(pythonTimestampMs(parseDifyTime('2026-06-12T08:30:01.123999')!)).toBe(1781253001123);
  });
});

describe('secondsToNs', () => {
  it.each([
    [6.842137, 6842137000n],
    [0, 0n],
    [0.004213, 4213000n],
  ])('%d s is %d ns at microsecond precision', (s, ns) => {
    expect(secondsToNs(s)).toBe(ns);
  });
});
