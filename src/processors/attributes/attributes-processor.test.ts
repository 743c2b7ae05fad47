import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import type { Attributes, KeyValue } from '../../pdata/traces.js';
import { processorConfigProblems, runProcessor, spansOf } from '../../testing/run-processor.js';
import { attributesProcessorFactory } from './factory.js';

const span = (attributes: Attributes, name = 'chat gpt-4.1') =>
  makeSpan({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name, attributes });
const kv = (key: string, value: KeyValue['value']): KeyValue => ({ key, value });

async function apply(
  actions: unknown[],
  attributes: Attributes,
  extra: Record<string, unknown> = {},
) {
  const out = await runProcessor(
    attributesProcessorFactory,
    { actions, ...extra },
    makeTraces([span(attributes)]),
  );
  return spansOf(out)[0]!.attributes;
}

const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');
const base = [kv('user.email', 'ana@example.com'), kv('http.route', '/chat'), kv('tokens', 12n)];

describe('attributes processor', () => {
  it.each([
    [
      'insert adds an absent key',
      [{ key: 'env', action: 'insert', value: 'prod' }],
      [...base, kv('env', 'prod')],
    ],
    ['insert leaves a present key', [{ key: 'http.route', action: 'insert', value: '/x' }], base],
    [
      'update changes a present key',
      [{ key: 'tokens', action: 'update', value: 13 }],
      [base[0], base[1], kv('tokens', 13n)],
    ],
    ['update ignores an absent key', [{ key: 'env', action: 'update', value: 'prod' }], base],
    [
      'upsert sets either way',
      [{ key: 'env', action: 'upsert', value: 1.5 }],
      [...base, kv('env', 1.5)],
    ],
    [
      'from_attribute copies a value',
      [{ key: 'route', action: 'insert', from_attribute: 'http.route' }],
      [...base, kv('route', '/chat')],
    ],
    ['delete by key', [{ key: 'user.email', action: 'delete' }], [base[1], base[2]]],
    ['delete by pattern', [{ pattern: '^(user|http)\\.', action: 'delete' }], [base[2]]],
    [
      'hash with SHA-256 of the UTF-8 bytes',
      [{ key: 'user.email', action: 'hash' }],
      [kv('user.email', sha256('ana@example.com')), base[1], base[2]],
    ],
    [
      'extract named groups (RE2 or JS syntax)',
      [
        {
          key: 'user.email',
          action: 'extract',
          pattern: '^(?P<user_name>[^@]+)@(?<user_domain>.+)$',
        },
      ],
      [...base, kv('user_name', 'ana'), kv('user_domain', 'example.com')],
    ],
    [
      'convert to string',
      [{ key: 'tokens', action: 'convert', converted_type: 'string' }],
      [base[0], base[1], kv('tokens', '12')],
    ],
    [
      'convert leaves what cannot convert',
      [{ key: 'http.route', action: 'convert', converted_type: 'int' }],
      base,
    ],
    [
      'actions run in order',
      [
        { key: 'env', action: 'insert', value: 'a' },
        { key: 'env', action: 'update', value: 'b' },
      ],
      [...base, kv('env', 'b')],
    ],
  ])('%s', async (_name, actions, expected) => {
    expect(await apply(actions, base)).toEqual(expected);
  });

  it('hashes ints and doubles as 8 little-endian bytes, as the Collector does', async () => {
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64LE(12n);
    const out = await apply([{ key: 'tokens', action: 'hash' }], base);
    expect(out[2]).toEqual(kv('tokens', sha256(bytes)));
  });

  it('only touches spans that match include and not exclude', async () => {
    const traces = makeTraces([span(base, 'chat gpt-4.1'), span(base, 'GET /health')]);
    const out = await runProcessor(
      attributesProcessorFactory,
      {
        actions: [{ key: 'user.email', action: 'delete' }],
        include: { match_type: 'regexp', span_names: ['^chat '] },
        exclude: { match_type: 'strict', attributes: [{ key: 'tokens', value: 99 }] },
      },
      traces,
    );
    expect(spansOf(out).map((s) => s.attributes.length)).toEqual([2, 3]);
  });

  it('is idempotent for insert, delete and hash', async () => {
    const actions = [
      { key: 'env', action: 'insert', value: 'prod' },
      { key: 'http.route', action: 'delete' },
    ];
    const once = await apply(actions, base);
    expect(await apply(actions, once)).toEqual(once);
  });

  it('leaves the input batch untouched', async () => {
    const traces = makeTraces([span(base)]);
    const before = JSON.stringify(traces, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
    await runProcessor(
      attributesProcessorFactory,
      { actions: [{ key: 'http.route', action: 'delete' }] },
      traces,
    );
    expect(JSON.stringify(traces, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).toBe(before);
  });

  it.each([
    [
      'no actions',
      'actions: []',
      ['processors::attributes::actions: at least one action is required'],
    ],
    [
      'an unknown action',
      'actions:\n  - { key: a, action: rename }',
      [
        'processors::attributes::actions::0::action: expected one of insert, update, upsert, delete, hash, extract, convert',
      ],
    ],
    [
      'both value and from_attribute',
      'actions:\n  - { key: a, action: upsert, value: 1, from_attribute: b }',
      [
        'processors::attributes::actions::0::value: upsert takes exactly one of value and from_attribute',
      ],
    ],
    [
      'extract without pattern',
      'actions:\n  - { key: a, action: extract }',
      ['processors::attributes::actions::0::pattern: required for extract'],
    ],
    [
      'an invalid regex',
      'actions:\n  - { action: delete, pattern: "(" }',
      [
        'processors::attributes::actions::0::pattern: invalid regular expression: missing closing ): `(`',
      ],
    ],
    [
      'extract without named groups',
      'actions:\n  - { key: a, action: extract, pattern: "^(.*)$" }',
      [
        'processors::attributes::actions::0::pattern: an extract pattern needs at least one named group, e.g. (?P<user>\\w+)',
      ],
    ],
    [
      'include naming nothing',
      'actions:\n  - { key: a, action: delete }\ninclude: { match_type: strict }',
      [
        'processors::attributes::include: names no property to match: set span_names, services, attributes, ...',
      ],
    ],
  ])('rejects %s', (_name, yaml, expected) => {
    expect(processorConfigProblems('attributes', yaml)).toEqual(expected);
  });
});
