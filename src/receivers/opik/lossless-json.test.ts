import { describe, expect, it } from 'vitest';
import { JsonNumber, JsonSyntaxError, parseLossless, stringifyLossless } from './lossless-json.js';

describe('lossless JSON', () => {
  it('keeps number literals, key order and unicode; writes compact raw UTF-8', () => {
    const text =
      '{"b": 1.0, "a": [12345678901234567890, -0.5e-7, 0], "s": "\\u5e74 \\ud83d\\ude00 \\"q\\" \\n", "n": null, "t": true}';
    const v = parseLossless(text);
    expect(stringifyLossless(v)).toBe(
      '{"b":1.0,"a":[12345678901234567890,-0.5e-7,0],"s":"年 😀 \\"q\\" \\n","n":null,"t":true}',
    );
    expect((v as { b: JsonNumber }).b).toBeInstanceOf(JsonNumber);
    expect(JSON.parse(stringifyLossless(v))).toEqual(JSON.parse(text));
  });

  it('takes the last of duplicate keys in the first one’s place, and __proto__ as a plain key', () => {
    expect(stringifyLossless(parseLossless('{"a":1,"b":2,"a":3}'))).toBe('{"a":3,"b":2}');
    const o = parseLossless('{"__proto__":{"x":1}}') as Record<string, unknown>;
    expect(Object.keys(o)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it.each([
    ['', 'Unexpected end-of-input'],
    ['{"a":1', "Expected ',' or '}'"],
    ['[1,]', 'Unexpected character'],
    ['{"a":1} x', 'Unexpected content after the JSON value'],
    ['"tab\there"', 'Illegal unquoted character'],
    ['01', 'Unexpected content after the JSON value'],
    ['nul', 'Unrecognized token'],
  ])('refuses %j with where and why', (text, why) => {
    expect(() => parseLossless(text)).toThrow(JsonSyntaxError);
    expect(() => parseLossless(text)).toThrow(why);
  });

  it('refuses documents nested deeper than Jackson allows, without overflowing the stack', () => {
    expect(() => parseLossless(`${'['.repeat(1001)}${']'.repeat(1001)}`)).toThrow('nesting depth');
    expect(() => parseLossless(`${'['.repeat(1000)}${']'.repeat(1000)}`)).not.toThrow();
  });
});
