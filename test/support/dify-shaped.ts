import { attributesFrom, withAttribute } from '../../src/pdata/attributes.js';
import { makeSpan, makeTraces } from '../../src/pdata/span.js';
import { type Span, StatusCode, type Traces } from '../../src/pdata/traces.js';

/**
 * Spans shaped like the `dify` receiver's output for a chatflow run (docs/semantic-conventions.md,
 * DESIGN §4), built by hand until that receiver lands: the ids Dify's own Opik integration would
 * use for shared/fixtures/dify/workflow_chatflow.json, `opik.*` ids set by the receiver, node
 * spans typed by `opik.span.type`, an LLM node with usage, a failing tool call, and message-scoped
 * spans whose root (the message) is in another envelope.
 */
const TRACE = '019ebaf3-cfa3-70b7-a3c9-c9de9689fead';
const ROOT = '019ebaf3-cfa3-7ab5-b658-8be89e08717d';
const OTEL_TRACE = 'c9c4129f3ea24ab5b6588be89e08717d';
const ms = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;

interface NodeSpec {
  readonly name: string;
  readonly opikId: string;
  readonly otelId: string;
  readonly start: string;
  readonly end: string;
  readonly attrs: Record<string, string | number | string[] | undefined>;
  readonly error?: string;
}

function node(spec: NodeSpec, parentOtel: string, parentOpik: string): Span {
  let span = makeSpan({
    traceId: OTEL_TRACE,
    spanId: spec.otelId,
    parentSpanId: parentOtel,
    name: spec.name,
    startTimeUnixNano: ms(spec.start),
    endTimeUnixNano: ms(spec.end),
    attributes: attributesFrom({
      ...spec.attrs,
      'opik.trace_id': TRACE,
      'opik.span_id': spec.opikId,
      'opik.parent_span_id': parentOpik,
      'opik.tags': ['node_execution'],
      'gen_ai.conversation.id': '1b0db45a-eba8-4237-84a7-f15c6706261c',
    }),
  });
  if (spec.error) {
    span = {
      ...span,
      status: { code: StatusCode.ERROR, message: spec.error },
      events: [
        {
          name: 'exception',
          timeUnixNano: ms(spec.end),
          droppedAttributesCount: 0,
          attributes: attributesFrom({
            'exception.type': 'RateLimitError',
            'exception.message': spec.error,
          }),
        },
      ],
    };
  }
  return span;
}

export function difyChatflowRun(): Traces {
  const root = makeSpan({
    traceId: OTEL_TRACE,
    spanId: '8be89e08717d0001',
    name: 'workflow',
    startTimeUnixNano: ms('2026-06-12T08:30:01.123Z'),
    endTimeUnixNano: ms('2026-06-12T08:30:07.965Z'),
    attributes: attributesFrom({
      'input.value': '{"sys.query":"退货政策是什么？","sys.files":[]}',
      'input.mime_type': 'application/json',
      'output.value': '{"answer":"30 天内可无理由退货 🙂"}',
      'output.mime_type': 'application/json',
      'gen_ai.operation.name': 'invoke_workflow',
      'gen_ai.conversation.id': '1b0db45a-eba8-4237-84a7-f15c6706261c',
      'gen_ai.usage.input_tokens': 1211,
      'gen_ai.usage.output_tokens': 252,
      'gen_ai.usage.total_tokens': 1463,
      'opik.trace_id': TRACE,
      'opik.span_id': ROOT,
      'opik.tags': ['workflow'],
      'opik.trace.name': 'message',
      'opik.trace.tags': ['message', 'workflow'],
      'opik.metadata': JSON.stringify({
        workflow_run_id: 'c9c4129f-3ea2-4ab5-b658-8be89e08717d',
        elapsed_time: 6.842137,
        status: 'succeeded',
        file_list: [],
      }),
      'dify.app_id': '144b463a-8f8f-4238-a921-3cd52022636a',
      'dify.workflow_id': '96f3c3a6-a1cb-4399-b9d8-ba2c21497599',
      'dify.tenant_id': 'e8ccb4d2-3ee9-4d4d-ba07-41e99063a06b',
      'dify.user_id': '6933c779-6dc7-4149-b1c9-c91fa1a12ec8',
    }),
  });
  const nodes: NodeSpec[] = [
    {
      name: '开始',
      opikId: '019ebaf3-cfb4-7b02-b561-86426bc98cea',
      otelId: '86426bc98cea0001',
      start: '2026-06-12T08:30:01.140Z',
      end: '2026-06-12T08:30:01.150Z',
      attrs: {
        'opik.span.type': 'tool',
        'dify.node_type': 'start',
        'input.value': '{"sys.query":"退货政策是什么？"}',
        'input.mime_type': 'application/json',
      },
    },
    {
      name: '知识检索',
      opikId: '019ebaf3-cfc0-7d9f-9ead-eeb807afc36b',
      otelId: 'eeb807afc36b0001',
      start: '2026-06-12T08:30:01.152Z',
      end: '2026-06-12T08:30:01.970Z',
      attrs: {
        'gen_ai.operation.name': 'retrieval',
        'opik.span.type': 'tool',
        'gen_ai.data_source.id': 'bf555007-0ef9-4213-8617-0f629e1e0aeb',
        'dify.node_type': 'knowledge-retrieval',
        'output.value': '[{"content":"30 天内可退货","score":0.82}]',
        'output.mime_type': 'application/json',
      },
    },
    {
      name: 'LLM',
      opikId: '019ebaf3-d2f7-7803-9121-d14ea45faa97',
      otelId: 'd14ea45faa970001',
      start: '2026-06-12T08:30:01.975Z',
      end: '2026-06-12T08:30:07.010Z',
      attrs: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'deepseek',
        'gen_ai.request.model': 'deepseek-chat',
        'gen_ai.usage.input_tokens': 1211,
        'gen_ai.usage.output_tokens': 252,
        'gen_ai.usage.total_tokens': 1463,
        'dify.node_type': 'llm',
        'input.value':
          '[{"role":"system","text":"你是客服"},{"role":"user","text":"退货政策是什么？"}]',
        'input.mime_type': 'application/json',
        'output.value': '30 天内可无理由退货 🙂',
        'output.mime_type': 'text/plain',
      },
    },
    {
      name: '直接回复',
      opikId: '019ebaf3-e672-7b1a-a91a-a9266163f296',
      otelId: 'a9266163f2960001',
      start: '2026-06-12T08:30:07.012Z',
      end: '2026-06-12T08:30:07.960Z',
      attrs: {
        'opik.span.type': 'tool',
        'dify.node_type': 'answer',
        'output.value': '{"answer":"30 天内可无理由退货 🙂"}',
        'output.mime_type': 'application/json',
      },
    },
    {
      name: 'weather_forecast',
      opikId: '019ebaf3-e700-7000-8000-00000000aa01',
      otelId: '00000000aa010001',
      start: '2026-06-12T08:30:07.100Z',
      end: '2026-06-12T08:30:07.200Z',
      attrs: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'weather_forecast',
        'dify.node_type': 'tool',
        'input.value': '{"city":"杭州"}',
        'input.mime_type': 'application/json',
      },
      error: 'Read timed out. (read timeout=10)',
    },
  ];
  return makeTraces(
    [root, ...nodes.map((n) => node(n, root.spanId, ROOT))],
    attributesFrom({ 'service.name': 'dify' }),
    { name: 'dify-opik-collector/dify' },
  );
}

/**
 * Message-scoped envelopes (moderation, suggested questions) that arrive before their message:
 * parented under the message's root span, which is not in this batch.
 */
export function difyMessageScoped(): Traces {
  const trace = '019ebb00-1111-7111-8111-111111111111';
  const messageRoot = '019ebb00-1111-7222-8222-222222222222';
  const base = (
    name: string,
    opikId: string,
    otelId: string,
    extra: Record<string, string | string[]>,
  ) =>
    makeSpan({
      traceId: '11111111111111111111111111111111',
      spanId: otelId,
      parentSpanId: '2222222222222222',
      name,
      startTimeUnixNano: ms('2026-06-12T09:00:00.500Z'),
      endTimeUnixNano: ms('2026-06-12T09:00:00.700Z'),
      attributes: attributesFrom({
        ...extra,
        'opik.trace_id': trace,
        'opik.span_id': opikId,
        'opik.parent_span_id': messageRoot,
      }),
    });
  const moderation = base(
    'moderation',
    '019ebb00-1111-7333-8333-333333333333',
    '3333333333333333',
    {
      'opik.span.type': 'guardrail',
      'gen_ai.operation.name': 'apply_guardrail',
      'opik.tags': ['moderation'],
      'input.value': '{"query":"how do I return shoes?"}',
      'output.value': '{"flagged":false,"action":"direct_output","preset_response":""}',
    },
  );
  const suggested = base(
    'suggested_question',
    '019ebb00-1111-7444-8444-444444444444',
    '4444444444444444',
    {
      'opik.tags': ['suggested_question'],
      'output.value': '["Can I return sale items?","How long do refunds take?"]',
    },
  );
  return makeTraces(
    [moderation, withMessageId(suggested)],
    attributesFrom({ 'service.name': 'dify' }),
  );
}

function withMessageId(span: Span): Span {
  return {
    ...span,
    attributes: withAttribute(
      span.attributes,
      'dify.message_id',
      'fd34c7a1-ca76-40b7-a3c9-c9de9689fead',
    ),
  };
}
