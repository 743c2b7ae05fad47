import { describe, expect, it } from 'vitest';
import { unpaced } from '../pipeline/pacer.js';
import { JsonTooDeep, PIECE_CHARS, parseJsonSteps } from './paced-json.js';

const parse = (text: string, maxDepth = 64) => unpaced(parseJsonSteps(text, maxDepth));
const steps = (text: string) =>
  [
    ...(function* () {
      yield* parseJsonSteps(text, 64);
    })(),
  ].length;

/** A seeded document generator: nested objects, arrays, escapes, numbers, literals. */
function randomDoc(seed: number, size: number): unknown {
  let s = seed;
  const rnd = (n: number) => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s % n;
  };
  const leaf = (): unknown =>
    [
      () => rnd(1000) - 500,
      () => rnd(1e6) / 7,
      () => 'plain',
      () => 'quote " back \\ slash \\" esc\n é 😀',
      () => true,
      () => null,
      () => 'x'.repeat(rnd(3) === 0 ? 70_000 : 10),
    ][rnd(7)]!();
  const node = (d: number): unknown => {
    if (d > 6 || rnd(4) === 0) return leaf();
    const n = rnd(size);
    if (rnd(2) === 0) return Array.from({ length: n }, () => node(d + 1));
    return Object.fromEntries(
      Array.from({ length: n }, (_, i) => [`k${i}"\\${rnd(9)}`, node(d + 1)]),
    );
  };
  return node(0);
}

describe('parseJsonSteps', () => {
  it.each([1, 2, 3, 4, 5, 6])('gives what JSON.parse gives (seed %i)', (seed) => {
    const text = JSON.stringify(randomDoc(seed, 40), null, seed % 2 === 0 ? 2 : undefined);
    expect(parse(text)).toEqual(JSON.parse(text));
  });

  it('takes a large document apart, yielding between pieces', () => {
    const doc = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: Array.from({ length: 5000 }, (_, i) => ({
                name: `s${i}`,
                attributes: [{ key: 'k', value: { intValue: i } }],
              })),
            },
          ],
        },
      ],
    };
    const text = JSON.stringify(doc);
    expect(text.length).toBeGreaterThan(4 * PIECE_CHARS);
    expect(parse(text)).toEqual(doc);
    expect(steps(text)).toBeGreaterThan(4);
    // A long array of small values costs one JSON.parse per piece.
    const zeros = `[${Array(200_000).fill(0).join(',')}]`;
    expect(parse(zeros)).toHaveLength(200_000);
  });

  it('keeps "__proto__" as an own key, as JSON.parse does', () => {
    const text = `{"__proto__":{"polluted":1},"a":"${'y'.repeat(PIECE_CHARS)}"}`;
    const out = parse(text) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses nesting past the limit while scanning, before building anything', () => {
    expect(() => parse(`${'['.repeat(65)}${']'.repeat(65)}`)).toThrow(JsonTooDeep);
    expect(parse(`${'['.repeat(64)}${']'.repeat(64)}`)).toBeInstanceOf(Array);
    const deep = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(() => parse(deep)).toThrow(/nested deeper than 64 levels at position/);
  });

  it.each([
    ['', /Unexpected end of JSON input/],
    ['{"a":1', /Unexpected end|Expected|JSON/],
    [`[${'1,'.repeat(PIECE_CHARS)}`, /Unexpected end of JSON input/],
    [`{"a":[${'1,'.repeat(PIECE_CHARS)}2]x}`, /Unexpected token "x" in JSON at position/],
    ['{"a":1} x', /Unexpected non-whitespace character after JSON at position 8/],
    [`["${'a'.repeat(10)}`, /Unterminated string/],
    [`{"a":[${'1,'.repeat(PIECE_CHARS)}tru]}`, /JSON/],
  ])('fails on %j as JSON.parse would', (text, message) => {
    expect(() => parse(text)).toThrow(message);
  });
});
