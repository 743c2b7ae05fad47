import { describe, expect, it } from 'vitest';
import { anyValueToJson, opikColumnValue, parsesAlike, toJson } from './values.js';

describe('values', () => {
  it.each([
    ['plain text', 'plain text'],
    ['{"a":1}', { a: 1 }],
    ['[1,"x"]', [1, 'x']],
    ['"\\"{\\\\\\"b\\\\\\":2}\\""', '{"b":2}'],
    ['"{\\"b\\":2}"', { b: 2 }],
    ['"just quoted"', 'just quoted'],
    ['{broken', '{broken'],
    ['42', '42'],
  ])('stores the string %s as Opik does', (input, expected) => {
    expect(opikColumnValue(input)).toEqual(expected);
  });

  it.each([
    ['plain', true],
    ['{"a":1}', true],
    ['"{\\"b\\":2}"', true],
    ['{"a":1} and more', false],
    ['"123 apples"', false],
    ['[unclosed', false],
  ])('tells whether Opik reads %s as we do: %s', (text, alike) => {
    expect(parsesAlike(text)).toBe(alike);
  });

  it('keeps scalars and reads arrays as strings, dropping maps and bytes', () => {
    expect(opikColumnValue(7n)).toBe(7n);
    expect(opikColumnValue(1.5)).toBe(1.5);
    expect(opikColumnValue(false)).toBe(false);
    expect(opikColumnValue(['a', 1n, true])).toEqual(['a', '', '']);
    expect(opikColumnValue({ kvlist: [] })).toBeUndefined();
    expect(opikColumnValue(new Uint8Array([1]))).toBeUndefined();
  });

  it('turns any pdata value into JSON without losing digits', () => {
    expect(
      anyValueToJson({
        kvlist: [
          { key: 'n', value: 2n ** 60n },
          { key: 'b', value: new Uint8Array([255]) },
          { key: 'l', value: [1n, Number.POSITIVE_INFINITY, null] },
        ],
      }),
    ).toEqual({ n: '1152921504606846976', b: '/w==', l: [1, 'Infinity', null] });
  });

  it('writes bigints as bare numbers with every digit', () => {
    expect(toJson({ t: 1795168800970000123n, s: 'x', skip: undefined } as never)).toBe(
      '{"t":1795168800970000123,"s":"x"}',
    );
  });
});
