import { describe, expect, it } from 'vitest';
import { unpaced } from '../pipeline/pacer.js';
import {
  JsonTooDeep,
  omissions,
  PIECE_CHARS,
  parseJsonItemsSteps,
  parseJsonSteps,
} from './paced-json.js';

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

describe('jsonItemSteps with omissions', () => {
  const items = (text: string, paths: string[][]) =>
    unpaced(parseJsonItemsSteps(text, 64, true, Number.POSITIVE_INFINITY, omissions(paths))).map(
      (item) => ('value' in item ? item.value : item),
    );

  /** `value` without the members at `paths` (objects only along each path). */
  function without(value: unknown, paths: string[][]): unknown {
    const copy = structuredClone(value);
    for (const path of paths) {
      let at: unknown = copy;
      for (const key of path.slice(0, -1)) {
        at = isPlainObject(at) ? at[key] : undefined;
      }
      if (isPlainObject(at)) delete at[path[path.length - 1]!];
    }
    return copy;
  }
  const isPlainObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);

  /** Some key paths of `doc` from its top, through objects only. */
  function somePaths(doc: unknown, seed: number): string[][] {
    const paths: string[][] = [];
    const walk = (v: unknown, path: string[]) => {
      if (!isPlainObject(v) || path.length >= 3) return;
      for (const [i, key] of Object.keys(v).entries()) {
        if ((i + seed + path.length) % 3 === 0) paths.push([...path, key]);
        else walk(v[key], [...path, key]);
      }
    };
    walk(doc, []);
    return paths;
  }

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'gives what JSON.parse gives without the members named (seed %i)',
    (seed) => {
      // Objects in objects, with random values: some over PIECE_CHARS, walked member by member.
      const doc = Object.fromEntries(
        Array.from({ length: 6 }, (_, i) => [
          `m${i}`,
          { k: randomDoc(seed * 10 + i, 12), [`"${i}\\`]: { x: randomDoc(seed + i, 6), y: i } },
        ]),
      );
      const paths = somePaths(doc, seed);
      const text = JSON.stringify([doc, doc], null, seed % 2 === 0 ? 2 : undefined);
      const expected = without(doc, paths);
      expect(paths.length).toBeGreaterThan(3);
      expect(expected).not.toEqual(doc);
      expect(items(text, paths)).toEqual([expected, expected]);
    },
  );

  it.each([
    ['the first member', '{"g":{"x":1},"a":1,"b":2}', '{"a":1,"b":2}'],
    ['a member between two', '{"a":1, "g" : [1,{"}":"]"}] , "b":2}', '{"a":1,"b":2}'],
    ['the last member', '{"a":1,"g":"x\\"y"}', '{"a":1}'],
    ['the only member', '{ "g": {} }', '{}'],
    ['two members in a row, the last two', '{"a":1,"g":1,"h":2}', '{"a":1}'],
    ['two members in a row, the first two', '{"g":1,"h":2,"a":1}', '{"a":1}'],
    ['every member', '{"h":[],"g":null}', '{}'],
    ['a member inside a member', '{"a":{"b":1,"g":2},"g":3}', '{"a":{"b":1}}'],
  ])('leaves out %s', (_, text, expected) => {
    const paths = [['g'], ['h'], ['a', 'g']];
    const big = `{"pad":"${'p'.repeat(PIECE_CHARS)}","doc":${text}}`;
    expect(items(text, paths)).toEqual([JSON.parse(expected)]);
    // A document over PIECE_CHARS is walked member by member: the same result.
    expect(
      items(
        big,
        paths.map((path) => ['doc', ...path]),
      ),
    ).toEqual([{ pad: 'p'.repeat(PIECE_CHARS), doc: JSON.parse(expected) }]);
  });

  it('does not read what it leaves out, and still reports flaws elsewhere as JSON.parse would', () => {
    // The member left out is not valid JSON inside, but its strings and brackets close.
    expect(items('{"g":{"x":tru, 1},"a":1}', [['g']])).toEqual([{ a: 1 }]);
    const flawed = '{"g":{"x":1},"a":tru}';
    expect(() => items(flawed, [['g']])).toThrow(
      new RegExp(`^${escapeRegExp(parseError(flawed))}$`),
    );
  });

  it('keeps a member whose key is written with escapes', () => {
    expect(items('{"\\u0067":1,"a":2}', [['g']])).toEqual([{ g: 1, a: 2 }]);
  });
});

function parseError(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${text} is valid JSON`);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
