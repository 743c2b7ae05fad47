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
    ['2026-06-12t08:30:01.123456z', 1781253001123456000n, true],
    ['  2026-06-12T08:30:01,5\n', 1781253001500000000n, false],
    ['2026-06-12T03:30:01.123456-05:00', 1781253001123456000n, true],
    ['2026-06-12T08:30:01+0000', 1781253001000000000n, true],
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
    '2026-06-12T08:30:01.',
    '2026-06-12T08:30:01+05:3',
    '2026-06-12T08:30:01+05:300',
    '2026-06-12T08:30:01Zx',
    '2026-06-12T08:3:01',
    '2026/06/12 08:30:01',
    '２０２６-06-12T08:30:01',
    `2026-06-12T08:30:01.123456${' '.repeat(20)}`,
  ])('refuses %j', (text) => {
    expect(parseDifyTime(text)).toBeUndefined();
  });

  it('reads exactly what the ISO 8601 pattern it implements accepts', () => {
    // The pattern the parser implements, as a regular expression: the oracle for random texts.
    const iso =
      /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;
    const pieces = ['2026-06-12', 'T', 't', ' ', '08:30:01', '.', ',', '1234', '56789', 'Z', 'z'];
    pieces.push('+02:00', '-0530', '+1', ':', '-', '0', '9', 'x', '\u0661', '  ');
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      let text = i % 2 ? '2026-06-12T08:30:01' : '';
      for (let k = next(6); k > 0; k--) text += pieces[next(pieces.length)];
      const m = text.length > 40 ? null : iso.exec(text.trim());
      const parsed = parseDifyTime(text);
      expect(parsed !== undefined, text).toBe(m !== null && Number(m[1]) >= 1970);
      if (parsed) accepted++;
    }
    expect(accepted).toBeGreaterThan(1000);
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
