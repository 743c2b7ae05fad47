import { describe, expect, it } from 'vitest';
import { parseInstant } from './instant.js';
import { JsonNumber } from './lossless-json.js';

const ns = (iso: string, extraNs = 0n) => BigInt(Date.parse(iso)) * 1_000_000n + extraNs;

describe('parseInstant (Opik’s Instant reader)', () => {
  it.each([
    ['2026-06-12T08:30:01.123456Z', ns('2026-06-12T08:30:01.123Z', 456_000n)],
    ['2026-06-12T08:30:01Z', ns('2026-06-12T08:30:01Z')],
    ['2026-06-12T16:30:01.123456+08:00', ns('2026-06-12T08:30:01.123Z', 456_000n)],
    ['2026-06-12T03:30:01.5-05:00', ns('2026-06-12T08:30:01.500Z')],
    ['2026-06-12T08:30:01.123456789z', ns('2026-06-12T08:30:01.123Z', 456_789n)],
    ['2024-02-29T00:00:00+0100', ns('2024-02-28T23:00:00Z')],
    ['2016-12-31T23:59:60Z', ns('2016-12-31T23:59:59Z', 999_999_999n)],
  ])('%s', (text, want) => {
    expect(parseInstant(text)).toBe(want);
  });

  it('reads a bare number as epoch seconds, its fraction to the nanosecond', () => {
    expect(parseInstant(new JsonNumber('1781253001.123456789'))).toBe(1_781_253_001_123_456_789n);
    expect(parseInstant(new JsonNumber('1781253001'))).toBe(1_781_253_001_000_000_000n);
  });

  it.each([
    '2026-06-12T08:30:01',
    '2026-06-12',
    '2026-02-30T00:00:00Z',
    '2026-06-12T24:00:00Z',
    '2026-06-12 08:30:01Z',
    'yesterday',
  ])('cannot read %s (neither can Opik)', (text) => {
    expect(parseInstant(text)).toBeUndefined();
  });

  it.each(['1e308', '-1e400', '123456789012345678901234567890'])(
    'cannot read epoch seconds beyond java.time.Instant (%s), and does not throw',
    (text) => {
      expect(parseInstant(new JsonNumber(text))).toBeUndefined();
    },
  );
});
