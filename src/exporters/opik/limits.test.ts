import { describe, expect, it } from 'vitest';
import { costNumber, normaliseTags, usageInt, windowVerdict } from './limits.js';

describe('Opik limits', () => {
  const tags = (v: Parameters<typeof normaliseTags>[0]) => {
    const seen: string[] = [];
    return { tags: normaliseTags(v, (a) => seen.push(a)), seen };
  };

  it.each([
    [
      ['a', ' b ', '', 'a'],
      ['a', 'b'],
    ],
    ['x, y ,,z', ['x', 'y', 'z']],
    ['["p","q"," "]', ['p', 'q']],
    [undefined, []],
    [42n, []],
  ])('reads tags %s as Opik does: %s', (input, expected) => {
    expect(tags(input).tags).toEqual(expected);
  });

  it('keeps at most 50 tags of at most 100 characters, and says so', () => {
    const many = Array.from({ length: 60 }, (_, i) => `t${i}`);
    const r = tags([...many, 'x'.repeat(130)]);
    expect(r.tags).toHaveLength(50);
    expect(r.seen).toEqual(['tags_truncated', 'tags_dropped']);
    expect(tags(['y'.repeat(101)]).tags[0]).toHaveLength(100);
  });

  it('does not split a surrogate pair when cutting a tag', () => {
    const tag = `${'a'.repeat(99)}😀`;
    expect(tags([tag]).tags[0]).toBe('a'.repeat(99));
  });

  it.each([
    [12n, 12],
    [12, 12],
    ['34', 34],
    [' +5 ', 5],
    [12.5, undefined],
    ['many', undefined],
    ['{"a":1}', undefined],
    [2n ** 31n, undefined],
    [true, undefined],
  ])('accepts usage %s as %s', (value, expected) => {
    expect(usageInt(value)).toBe(expected);
  });

  it.each([
    [0.0123, 0.0123],
    ['0.5', 0.5],
    [3n, 3],
    [-1, undefined],
    ['free', undefined],
    [Number.NaN, undefined],
  ])('accepts cost %s as %s', (value, expected) => {
    expect(costNumber(value)).toBe(expected);
  });

  it.each([
    [1000, 'ok'],
    [1000 - 86_400_001, 'too_old'],
    [1000 + 86_400_001, 'too_far_future'],
  ])('places an id at %i within ±24 h of 1000 as %s', (ts, verdict) => {
    expect(windowVerdict(ts, 1000, 86_400_000)).toBe(verdict);
  });
});
