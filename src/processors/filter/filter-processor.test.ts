import { describe, expect, it } from 'vitest';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import { type Span, SpanKind, StatusCode } from '../../pdata/traces.js';
import { processorConfigProblems, runProcessor, spansOf } from '../../testing/run-processor.js';
import { filterProcessorFactory } from './factory.js';

const spans: Span[] = [
  makeSpan({
    traceId: 'a'.repeat(32),
    spanId: '1'.repeat(16),
    name: 'GET /health',
    kind: SpanKind.SERVER,
  }),
  makeSpan({
    traceId: 'a'.repeat(32),
    spanId: '2'.repeat(16),
    name: 'chat gpt-4.1',
    kind: SpanKind.CLIENT,
    attributes: [
      { key: 'gen_ai.operation.name', value: 'chat' },
      { key: 'tokens', value: 12n },
    ],
  }),
  makeSpan({
    traceId: 'a'.repeat(32),
    spanId: '3'.repeat(16),
    name: 'SELECT users',
    status: { code: StatusCode.ERROR, message: 'timeout' },
    attributes: [{ key: 'db.system', value: 'postgresql' }],
  }),
];
const traces = () =>
  makeTraces(spans, [{ key: 'service.name', value: 'dify-api' }], { name: 'lib', version: '1.0' });

async function kept(spansConfig: Record<string, unknown>): Promise<string[]> {
  return spansOf(await runProcessor(filterProcessorFactory, { spans: spansConfig }, traces())).map(
    (s) => s.name,
  );
}

describe('filter processor', () => {
  it.each([
    [
      'exclude by exact name',
      { exclude: { match_type: 'strict', span_names: ['GET /health'] } },
      ['chat gpt-4.1', 'SELECT users'],
    ],
    [
      'exclude by name regex',
      { exclude: { match_type: 'regexp', span_names: ['^(GET|SELECT) '] } },
      ['chat gpt-4.1'],
    ],
    [
      'exclude by kind (Collector spelling)',
      { exclude: { match_type: 'strict', span_kinds: ['SPAN_KIND_SERVER'] } },
      ['chat gpt-4.1', 'SELECT users'],
    ],
    [
      'exclude by status',
      { exclude: { match_type: 'strict', span_statuses: ['error'] } },
      ['GET /health', 'chat gpt-4.1'],
    ],
    [
      'exclude by attribute presence',
      { exclude: { match_type: 'strict', attributes: [{ key: 'db.system' }] } },
      ['GET /health', 'chat gpt-4.1'],
    ],
    [
      'exclude by attribute value (int)',
      { exclude: { match_type: 'strict', attributes: [{ key: 'tokens', value: 12 }] } },
      ['GET /health', 'SELECT users'],
    ],
    [
      'exclude by attribute regex',
      { exclude: { match_type: 'regexp', attributes: [{ key: 'db.system', value: '^postgres' }] } },
      ['GET /health', 'chat gpt-4.1'],
    ],
    [
      'include keeps only matches',
      {
        include: {
          match_type: 'strict',
          attributes: [{ key: 'gen_ai.operation.name', value: 'chat' }],
        },
      },
      ['chat gpt-4.1'],
    ],
    [
      'include and exclude together',
      {
        include: { match_type: 'regexp', span_names: ['.'] },
        exclude: { match_type: 'strict', span_kinds: ['client'] },
      },
      ['GET /health', 'SELECT users'],
    ],
    [
      'every property of one match must hold',
      { exclude: { match_type: 'strict', span_names: ['GET /health'], span_kinds: ['client'] } },
      ['GET /health', 'chat gpt-4.1', 'SELECT users'],
    ],
    ['by service', { exclude: { match_type: 'strict', services: ['dify-api'] } }, []],
    [
      'by resource attribute',
      { exclude: { match_type: 'strict', resources: [{ key: 'service.name', value: 'other' }] } },
      ['GET /health', 'chat gpt-4.1', 'SELECT users'],
    ],
    [
      'by library',
      { exclude: { match_type: 'strict', libraries: [{ name: 'lib', version: '1.0' }] } },
      [],
    ],
  ])('%s', async (_name, config, expected) => {
    expect(await kept(config)).toEqual(expected);
  });

  it('drops a batch that ends up empty, passing nothing on', async () => {
    const out = await runProcessor(
      filterProcessorFactory,
      { spans: { exclude: { match_type: 'regexp', span_names: ['.*'] } } },
      traces(),
    );
    expect(out).toEqual([]);
  });

  it.each([
    [
      'neither include nor exclude',
      'spans: {}',
      ['processors::filter::spans: set include, exclude or both'],
    ],
    [
      "the Collector's OTTL form",
      'traces:\n  span: [\'name == "x"\']',
      [
        'processors::filter::traces: OTTL conditions are not supported; write the conditions as spans: { include: ..., exclude: ... } (see the filter README)',
      ],
    ],
    [
      'a bad regex',
      'spans:\n  exclude: { match_type: regexp, span_names: ["["] }',
      [
        'processors::filter::spans::exclude: invalid regular expression "[": missing closing ]: `[`',
      ],
    ],
    [
      'an unknown kind',
      'spans:\n  exclude: { match_type: strict, span_kinds: [weird] }',
      [
        'processors::filter::spans::exclude::span_kinds::0: expected a span kind: internal, server, client, producer, consumer or unspecified',
      ],
    ],
    [
      'a missing match_type',
      'spans:\n  exclude: { span_names: [x] }',
      ['processors::filter::spans::exclude::match_type: expected strict or regexp'],
    ],
  ])('rejects %s', (_name, yaml, expected) => {
    expect(processorConfigProblems('filter', yaml).sort()).toEqual([...expected].sort());
  });
});
