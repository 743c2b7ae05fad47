import { describe, expect, it } from 'vitest';
import { attributesFrom } from '../../pdata/attributes.js';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import type { AnyValue, Span } from '../../pdata/traces.js';
import { mapSpan, type SpanWithIds } from './mapping.js';
import type { OpikEncoding } from './opik-version.js';

const IDS = {
  traceId: '019b76da-a87b-7c4b-aaa2-e4ea076c6c6d',
  spanId: '019b76da-a87b-7284-b6af-5fa6ee032c97',
  parentSpanId: '019b76da-a87b-7000-8000-000000000001',
};
const T = 1767225600123n * 1_000_000n;

function item(
  attrs: Record<string, AnyValue | number>,
  fields: Partial<Span> = {},
  parent = true,
): SpanWithIds {
  const span = makeSpan({
    traceId: 'ab'.repeat(16),
    spanId: 'cd'.repeat(8),
    name: 'op',
    startTimeUnixNano: T,
    endTimeUnixNano: T + 5_000_000n,
    attributes: attributesFrom(attrs as Record<string, AnyValue>),
    ...fields,
  });
  const rs = makeTraces([span], attributesFrom({ 'service.name': 'svc' }), { name: 'scope-x' })
    .resourceSpans[0]!;
  return {
    resource: rs,
    scope: rs.scopeSpans[0]!,
    span,
    ids: { ...IDS, parentSpanId: parent ? IDS.parentSpanId : null },
  };
}
const map = (attrs: Record<string, AnyValue | number>, fields: Partial<Span> = {}, parent = true) =>
  mapSpan(item(attrs, fields, parent), { projectName: 'P', adjust: () => {} });
/** The OTLP span for Opik 2.1 (or `encoding`), when there is one. */
const otlpSpan = (m: ReturnType<typeof map>, encoding: OpikEncoding = '2.1') => {
  const form = m.otlp(encoding);
  return 'span' in form ? form.span : undefined;
};
const wire = (m: ReturnType<typeof map>, encoding: OpikEncoding = '2.1') =>
  Object.fromEntries((otlpSpan(m, encoding)?.attributes ?? []).map((kv) => [kv.key, kv.value]));

describe('mapSpan', () => {
  it('sends an LLM span with the keys Opik maps exactly, and writes the same fields over REST', () => {
    const m = map({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 4,
      'gen_ai.usage.cost': 0.25,
      'input.value': '[{"role":"user"}]',
      'input.mime_type': 'application/json',
    });
    expect(wire(m)).toEqual({
      'input.value': '[{"role":"user"}]',
      'gen_ai.operation.name': 'chat',
      'opik.metadata': '{"service.name":"svc","otel.scope.name":"scope-x"}',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.system': 'openai',
      'gen_ai.usage.prompt_tokens': 10n,
      'gen_ai.usage.completion_tokens': 4n,
      'gen_ai.usage.total_tokens': 14n,
      'gen_ai.usage.cost': 0.25,
      'opik.trace_id': IDS.traceId,
      'opik.span_id': IDS.spanId,
      'opik.parent_span_id': IDS.parentSpanId,
    });
    expect(m.opik()).toEqual({
      id: IDS.spanId,
      trace_id: IDS.traceId,
      parent_span_id: IDS.parentSpanId,
      project_name: 'P',
      name: 'op',
      type: 'llm',
      start_time: '2026-01-01T00:00:00.123Z',
      end_time: '2026-01-01T00:00:00.128Z',
      input: { 'input.value': [{ role: 'user' }] },
      metadata: {
        'gen_ai.operation.name': 'chat',
        'opik.metadata': { 'service.name': 'svc', 'otel.scope.name': 'scope-x' },
      },
      usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 },
      model: 'gpt-4o',
      provider: 'openai',
      total_estimated_cost: 0.25,
      source: 'sdk',
    });
    expect(m.trace).toBeUndefined();
  });

  it('files attributes Opik does not know under metadata, never under input', () => {
    const m = map({
      'http.method': 'GET',
      'dify.app_id': 'a1',
      'gen_ai.data_source.id': 'kb',
      'opik.metadata': '{"status":"ok"}',
    });
    expect(Object.keys(wire(m)).filter((k) => !k.startsWith('opik.'))).toEqual([]);
    expect(m.opik().input).toBeUndefined();
    expect(m.opik().metadata?.['opik.metadata']).toEqual({
      'service.name': 'svc',
      'otel.scope.name': 'scope-x',
      status: 'ok',
      'http.method': 'GET',
      'dify.app_id': 'a1',
      'gen_ai.data_source.id': 'kb',
    });
  });

  it.each([
    [{ 'opik.span.type': 'tool' }, 'tool', 'no OTLP attribute makes Opik set type tool'],
    [
      { 'gen_ai.operation.name': 'execute_tool' },
      'tool',
      'no OTLP attribute makes Opik set type tool',
    ],
    [
      { 'gen_ai.operation.name': 'apply_guardrail' },
      'guardrail',
      'no OTLP attribute makes Opik set type guardrail',
    ],
    [{ 'gen_ai.operation.name': 'chat' }, 'llm', 'an llm span without model, provider or usage'],
    [
      {
        'opik.span.type': 'llm',
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.request.model': 'm',
      },
      'llm',
      'Opik forces invoke_agent spans to type general',
    ],
    [
      { 'input.value': '{"a":1} and more' },
      'general',
      'text that looks like JSON but is not, which Opik’s reader may parse differently',
    ],
  ])('keeps %j off OTLP (type %s): %s', (attrs, type, blocker) => {
    const m = map(attrs);
    expect(m.opik().type).toBe(type);
    expect(m.otlp('2.1')).toEqual({ blocker });
    expect(m.otlp('2.2')).toEqual({ blocker });
  });

  it('writes the same object on Opik 2.2 under the keys its stripped prefixes store as they are', () => {
    const m = map({
      'gen_ai.operation.name': 'execute_tool',
      'opik.span.type': 'general',
      'gen_ai.tool.name': 'search',
      'input.value': '{"q":"hi"}',
      'output.value': 'done',
      'gen_ai.conversation.id': 'conv-1',
      'opik.tags': ['t'],
    });
    expect(wire(m, '2.2')).toEqual({
      'input.input.value': '{"q":"hi"}',
      'output.output.value': 'done',
      'opik.metadata.gen_ai.operation.name': 'execute_tool',
      'opik.metadata.gen_ai.tool.name': 'search',
      thread_id: 'conv-1',
      'opik.tags': ['t'],
      'opik.metadata.opik.metadata': '{"service.name":"svc","otel.scope.name":"scope-x"}',
      'opik.trace_id': IDS.traceId,
      'opik.span_id': IDS.spanId,
      'opik.parent_span_id': IDS.parentSpanId,
    });
  });

  it.each([
    ['google', 'google', { '2.1': true, '2.2': true }],
    ['vertex_ai, an alias only 2.2 rewrites', 'vertex_ai', { '2.1': false, '2.2': true }],
    ['openai', 'openai', { '2.1': false, '2.2': false }],
  ])('keeps a provider Opik rewrites off OTLP: %s', (_what, provider, blocked) => {
    const m = map({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': provider });
    for (const encoding of ['2.1', '2.2'] as const) {
      expect('blocker' in m.otlp(encoding)).toBe(blocked[encoding]);
    }
  });

  it('keeps usage, model and provider of a non-LLM span as metadata, so Opik neither retypes nor double-counts it', () => {
    const m = map({
      'gen_ai.operation.name': 'invoke_workflow',
      'gen_ai.usage.input_tokens': 9,
      'gen_ai.request.model': 'm',
      'gen_ai.provider.name': 'p',
    });
    expect(m.opik().type).toBe('general');
    expect(m.opik()).not.toHaveProperty('usage');
    expect(m.opik()).not.toHaveProperty('model');
    expect(
      Object.keys(wire(m)).some((k) => k.startsWith('gen_ai.usage') || k === 'gen_ai.system'),
    ).toBe(false);
    expect(m.opik().metadata?.['opik.metadata']).toMatchObject({
      'gen_ai.usage.input_tokens': 9,
      'gen_ai.request.model': 'm',
    });
  });

  it('prefers the response model and keeps a different request model in metadata', () => {
    const m = map({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
    });
    expect(m.opik().model).toBe('gpt-4o-2024-08-06');
    expect(wire(m)['gen_ai.response.model']).toBe('gpt-4o-2024-08-06');
    expect(m.opik().metadata?.['opik.metadata']).toMatchObject({
      'gen_ai.request.model': 'gpt-4o',
    });
  });

  it('sends prompt + completion as the total, keeping a different source total aside', () => {
    const m = map({
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 3,
      'gen_ai.usage.output_tokens': 4,
      'gen_ai.usage.total_tokens': 9,
    });
    expect(m.opik().usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(m.opik().metadata?.['opik.metadata']).toMatchObject({ 'gen_ai.usage.total_tokens': 9 });
  });

  it('uses the start as the end of a span that never ended (Opik would store the epoch)', () => {
    const m = map({}, { endTimeUnixNano: 0n });
    expect(m.opik().end_time).toBe(m.opik().start_time);
    expect(otlpSpan(m)?.endTimeUnixNano).toBe(T);
  });

  it('derives error_info from the last exception event, and keeps the events as Opik does', () => {
    const m = map(
      {},
      {
        status: { code: 2, message: 'boom' },
        events: [
          {
            name: 'exception',
            timeUnixNano: T,
            droppedAttributesCount: 0,
            attributes: attributesFrom({ 'exception.type': 'A' }),
          },
          {
            name: 'exception',
            timeUnixNano: T + 1n,
            droppedAttributesCount: 0,
            attributes: attributesFrom({
              'exception.type': 'B',
              'exception.message': 'm',
              'exception.stacktrace': 'st',
              n: 5,
            }),
          },
        ],
      },
    );
    expect(m.opik().error_info).toEqual({ exception_type: 'B', message: 'm', traceback: 'st' });
    expect(m.opik().metadata?.['opentelemetry.events']).toEqual([
      { name: 'exception', time_unix_nano: T, attributes: { 'exception.type': 'A' } },
      {
        name: 'exception',
        time_unix_nano: T + 1n,
        attributes: {
          'exception.type': 'B',
          'exception.message': 'm',
          'exception.stacktrace': 'st',
          n: 5n,
        },
      },
    ]);
  });

  it.each([
    [
      { code: 2 as const, message: 'bad' },
      { exception_type: 'Error', message: 'bad', traceback: 'bad' },
    ],
    [
      { code: 2 as const, message: '' },
      { exception_type: 'Error', traceback: 'Error' },
    ],
    [{ code: 1 as const, message: '' }, undefined],
  ])('derives error_info from status %j', (status, expected) => {
    expect(map({}, { status }).opik().error_info).toEqual(expected);
  });

  it('makes a top-level span the trace row, with the trace name, tags and thread the receiver set', () => {
    const m = map(
      {
        'opik.trace.name': 'message',
        'opik.trace.tags': ['message', 'workflow'],
        'opik.tags': ['workflow'],
        'gen_ai.conversation.id': 'conv-1',
        'output.value': 'done',
      },
      {},
      false,
    );
    expect(m.opik().tags).toEqual(['workflow']);
    expect(m.opik().metadata?.thread_id).toBe('conv-1');
    expect(wire(m).thread_id).toBe('conv-1');
    expect(m.trace).toEqual({
      id: IDS.traceId,
      project_name: 'P',
      name: 'message',
      start_time: '2026-01-01T00:00:00.123Z',
      end_time: '2026-01-01T00:00:00.128Z',
      output: { 'output.value': 'done' },
      metadata: m.opik().metadata,
      tags: ['message', 'workflow'],
      thread_id: 'conv-1',
      source: 'sdk',
    });
  });
});
