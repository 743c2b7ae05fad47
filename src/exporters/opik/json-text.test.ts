import { describe, expect, it } from 'vitest';
import { toJsonAnyDepth } from './json-text.js';
import { type Json, RawJson, toJson } from './values.js';

describe('toJsonAnyDepth', () => {
  it('writes what toJson writes', () => {
    const v: Json = {
      a: [1, 'x', null, true, 12345678901234567890n, new RawJson('{"r":1}')],
      b: {},
    };
    expect(toJsonAnyDepth(v)).toBe(toJson(v));
  });

  it('writes values nested deeper than the call stack allows, as JSON.parse reads them back', () => {
    const text = `${'[{"k":'.repeat(20_000)}"x"${'}]'.repeat(20_000)}`;
    const value = JSON.parse(text) as Json;
    expect(() => toJson(value)).toThrow(RangeError);
    expect(toJsonAnyDepth(value)).toBe(text);
  });
});
