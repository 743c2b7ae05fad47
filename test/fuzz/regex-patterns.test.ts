/**
 * Every built-in redaction pattern and every pattern in the example configs and component
 * READMEs, against adversarial inputs of the largest size a receiver lets through
 * (`limits::max_attribute_value_length`, 1 MiB): none may hold the event loop for more than
 * 50 ms, the way the pipeline runs it (RE2 semantics through re2js: linear time; long values
 * scanned window by window with the event loop free in between).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Regex } from '../../src/config/regex.js';
import { Pacer } from '../../src/pipeline/pacer.js';
import { BUILTIN_PATTERNS } from '../../src/processors/redaction/builtin-patterns.js';
import { Masker } from '../../src/processors/redaction/masker.js';
import { requestLimitsSchema } from '../../src/receiverhelper/limits.js';
import { stallOf } from './harness.js';

const MAX_BLOCK_MS = 50;
const SIZE = requestLimitsSchema.parse({}).max_attribute_value_length;

const fill = (unit: string, prefix = '', suffix = '') =>
  (prefix + unit.repeat(Math.ceil(SIZE / unit.length))).slice(0, SIZE - suffix.length) + suffix;

/** Inputs that make backtracking engines (and careless scanners) slow, each SIZE characters. */
const ADVERSARIAL: ReadonlyArray<readonly [string, string]> = [
  ['one letter', fill('a')],
  ['almost an e-mail, repeated', fill('a@')],
  ['one e-mail as long as the value', fill('.z', 'x@y', '.zz')],
  ['e-mails everywhere', fill('a@a.aa ')],
  ['digits and spaces', fill('1 ')],
  ['Luhn-valid card numbers everywhere', fill('4111 1111 1111 1111 ')],
  ['key prefixes', fill('sk-')],
  ['one key as long as the value', fill('A', 'sk-proj-')],
  ['"Bearer" everywhere', fill('Bearer ')],
  ['JWT-like fragments', fill('eyJaaaaa.')],
  ['secret-ish words', fill('PaSsWoRd secret ')],
  ['non-ASCII', fill('é😀ß')],
];

const ROOT = new URL('../../', import.meta.url);

/** Keys whose values are regexes (with `match_type: regexp` where the Collector asks for it). */
const REGEX_KEYS = new Set([
  'span_names',
  'services',
  'blocked_key_patterns',
  'blocked_values',
  'allowed_values',
  'pattern',
]);

function collect(node: unknown, out: Set<string>, regexp = false): void {
  if (Array.isArray(node)) {
    for (const n of node) collect(n, out, regexp);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  const isRegexp = regexp || o.match_type === 'regexp';
  for (const [k, v] of Object.entries(o)) {
    const strings = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
    if (REGEX_KEYS.has(k) && (k !== 'span_names' && k !== 'services' ? true : isRegexp)) {
      for (const s of strings) out.add(s);
    } else if (isRegexp && (k === 'attributes' || k === 'resources') && Array.isArray(v)) {
      for (const a of v as Array<{ value?: unknown }>)
        if (typeof a?.value === 'string') out.add(a.value);
    } else collect(v, out, isRegexp && k !== 'actions');
  }
}

/** Every pattern written in config/examples/*.yaml and in the YAML examples of the component READMEs. */
function examplePatterns(): string[] {
  const out = new Set<string>();
  const examples = new URL('config/examples/', ROOT);
  for (const f of readdirSync(examples))
    collect(parse(readFileSync(new URL(f, examples), 'utf8')), out);
  const processors = new URL('src/processors/', ROOT);
  for (const dir of readdirSync(processors)) {
    let readme: string;
    try {
      readme = readFileSync(new URL(`${dir}/README.md`, processors), 'utf8');
    } catch {
      continue;
    }
    for (const m of readme.matchAll(/```yaml\n([\s\S]*?)```/g)) {
      try {
        collect(parse(m[1]!), out);
      } catch {
        // a fragment, not a whole document: nothing to take from it
      }
    }
  }
  return [...out];
}

/**
 * The longest the event loop was held while `work` ran (see `stallOf`), the least of three
 * measurements: what the pattern costs, not a collection of earlier garbage.
 */
async function block(work: () => Promise<unknown> | unknown): Promise<number> {
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3 && least >= MAX_BLOCK_MS; i++) {
    least = Math.min(least, (await stallOf(async () => work())).stallMs);
  }
  return least;
}

describe(`regexes against adversarial ${SIZE}-character values`, () => {
  const examples = examplePatterns();

  it('finds the example patterns (privacy.yaml, the filter, attributes and redaction READMEs)', () => {
    expect(examples).toEqual(
      expect.arrayContaining(['^GET /(health|metrics)', '(?i)password|secret', '^SELECT ']),
    );
  });

  it.each(ADVERSARIAL)(
    'the built-in patterns, all at once as privacy.yaml has them: %s',
    async (_n, input) => {
      const masker = new Masker(Object.values(BUILTIN_PATTERNS).flat(), []);
      const ms = await block(() => masker.mask(input, new Pacer()));
      expect(ms).toBeLessThan(MAX_BLOCK_MS);
    },
  );

  it('every example pattern, in every way the processors use one', async () => {
    const worst: Array<{ pattern: string; input: string; use: string; ms: number }> = [];
    for (const pattern of examples) {
      const re = Regex.compile(pattern);
      const masker = new Masker([{ re }], [re]);
      for (const [name, input] of ADVERSARIAL) {
        const uses: Array<[string, () => unknown]> = [
          ['test (filter, blocked_key_patterns, delete/hash by pattern)', () => re.test(input)],
          ['matchesWhole (allowed_values)', () => re.matchesWhole(input)],
          ['firstMatch (extract)', () => re.firstMatch(input)],
          ['mask (blocked_values)', () => masker.mask(input, new Pacer())],
        ];
        for (const [use, run] of uses) {
          const ms = await block(run);
          if (ms >= MAX_BLOCK_MS) worst.push({ pattern, input: name, use, ms });
        }
      }
    }
    expect(worst).toEqual([]);
  });
});
