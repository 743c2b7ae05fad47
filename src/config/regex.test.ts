import { describe, expect, it } from 'vitest';
import { Regex, regexProblem, SCAN_TAIL, SCAN_WINDOW } from './regex.js';

const all = (re: Regex, text: string) =>
  [...re.scan(text)].flatMap((m) => (m ? [text.slice(m.start, m.end)] : []));

describe('Regex (RE2 semantics)', () => {
  it.each([
    ['(?i)abc', 'xABCx', true],
    ['(?i:ab)c', 'ABc', true],
    ['(?i:ab)c', 'ABC', false],
    ['(?i)a(?-i)b', 'Ab', true],
    ['(?i)a(?-i)b', 'AB', false],
    ['(?s)a.b', 'a\nb', true],
    ['a.b', 'a\nb', false],
    ['(?m)^b$', 'a\nb\nc', true],
    ['^b$', 'a\nb\nc', false],
    [String.raw`\pL+`, 'héllo', true],
    ['[[:alpha:]]+', '123', false],
    [String.raw`\Q.*\E`, 'a.*b', true],
    [String.raw`\bword\b`, 'a word here', true],
  ])('%s on %j: %s', (pattern, text, expected) => {
    expect(Regex.compile(pattern).test(text)).toBe(expected);
  });

  it('(?U) makes repeats lazy, as in RE2', () => {
    expect(all(Regex.compile('(?U)a+'), 'aaa')).toEqual(['a', 'a', 'a']);
    expect(all(Regex.compile('(?U)a+?'), 'aaa')).toEqual(['aaa']);
    expect(all(Regex.compile('(?iU)A+'), 'aaa')).toEqual(['a', 'a', 'a']);
  });

  it('reads named groups in both spellings', () => {
    for (const p of [
      String.raw`(?P<user>\w+)@(?P<host>\w+)`,
      String.raw`(?<user>\w+)@(?<host>\w+)`,
    ]) {
      const text = 'mail alice@example now';
      const m = Regex.compile(p).firstMatch(text)!;
      expect(
        Object.fromEntries(
          Object.entries(m.groups).map(([k, r]) => [k, text.slice(r.start, r.end)]),
        ),
      ).toEqual({
        user: 'alice',
        host: 'example',
      });
    }
  });

  it.each([
    ['(?=a)', /unsupported Perl syntax/],
    ['(?<=a)b', /invalid named capture/],
    [String.raw`(a)\1`, /invalid escape sequence/],
    ['(?x) a', /unsupported Perl syntax/],
    [String.raw`\C`, /invalid escape sequence/],
    ['a{1001}', /invalid repeat count/],
    ['(', /missing closing \)/],
  ])('refuses %s as RE2 does', (pattern, message) => {
    expect(regexProblem(pattern)).toMatch(message);
    expect(() => Regex.compile(pattern)).toThrow(message);
  });

  it('finds every match across window boundaries exactly', () => {
    const word = 'secret-1234';
    const filler = 'x'.repeat(SCAN_WINDOW - SCAN_TAIL - 5);
    // One match straddles the first window's end, one sits in its tail, one is far later.
    const text = `${filler} ${word} ${'y'.repeat(SCAN_TAIL)} ${word} ${'z'.repeat(3 * SCAN_WINDOW)} ${word}`;
    const re = Regex.compile(String.raw`\bsecret-\d+\b`);
    const found = [...re.scan(text)].filter((m) => m !== null);
    expect(found.map((m) => text.slice(m!.start, m!.end))).toEqual([word, word, word]);
    expect(found.map((m) => m!.start)).toEqual(
      [...text.matchAll(/\bsecret-\d+\b/g)].map((m) => m.index),
    );
  });

  it('keeps anchors and word boundaries at window ends honest', () => {
    const text = `${'a'.repeat(SCAN_WINDOW - 10)}end${'b'.repeat(SCAN_WINDOW)}`;
    expect(all(Regex.compile('end$'), text)).toEqual([]);
    expect(all(Regex.compile(String.raw`a\b`), text)).toEqual([]);
    expect(all(Regex.compile('b$'), text)).toEqual(['b']);
  });

  it('yields between windows, so a caller can pause on long texts', () => {
    const steps = [...Regex.compile('needle').scan('h'.repeat(10 * SCAN_WINDOW))];
    expect(steps.length).toBeGreaterThanOrEqual(10);
    expect(steps.every((s) => s === null)).toBe(true);
  });

  it('matches the whole text only when asked', () => {
    const re = Regex.compile('.+@example\\.com');
    expect(re.matchesWhole('bob@example.com')).toBe(true);
    expect(re.matchesWhole('bob@example.com.evil')).toBe(false);
  });
});
