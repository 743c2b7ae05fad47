import { describe, expect, it } from 'vitest';
import { memoryAfterGc } from '../../testing/memory.js';
import {
  JsonNumber,
  JsonSyntaxError,
  type LosslessJson,
  parseLossless,
  stringifyLossless,
} from './lossless-json.js';

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

  it('keeps no long number or string as a view of the whole text', async () => {
    // 16 MiB of text around one 20-digit number and one 20-character string: what is kept of it
    // must not keep the text alive (V8 makes slices of 13 characters or more views of their parent).
    const kept: LosslessJson[] = [];
    const before = await memoryAfterGc();
    for (let n = 0; n < 4; n++) {
      const filler = 'x'.repeat(4 << 20);
      const doc = parseLossless(
        `{"pad":"${filler}","n":1234567890123456789${n},"s":"abcdefghijklmnopqrs${n}"}`,
      ) as { n: LosslessJson; s: LosslessJson };
      kept.push(doc.n, doc.s);
    }
    const after = await memoryAfterGc();
    expect((kept[0] as JsonNumber).text).toBe('12345678901234567890');
    expect(kept[1]).toBe('abcdefghijklmnopqrs0');
    // Four texts kept alive would be over 16 MiB; V8 may keep the last one in a cache of its own.
    expect(after.heapUsed - before.heapUsed).toBeLessThan(8 << 20);
  });
});
