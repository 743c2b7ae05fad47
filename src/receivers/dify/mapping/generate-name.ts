import { difyUuid7, spanIdFor, traceIdFromSeed } from '../../../opik-ids/dify.js';
import { type Span, SpanKind } from '../../../pdata/traces.js';
import { type EnvelopeContext, externalOf, metadataOf, metaStr, timingOf } from './envelope.js';
import { opikTraceId } from './refs.js';
import { buildSpan, type DifyIds } from './span-builder.js';
import { pythonTimestampMs } from './time.js';

/**
 * GenerateNameTraceInfo: a root span `generate_conversation_name` and its child, the model call
 * that wrote the title. Its own trace in the conversation's thread. Dify's integration gives it a
 * random trace id; ours is seeded on the conversation and the start time.
 */
export function generateNameSpans(ctx: EnvelopeContext): Span[] {
  const { info } = ctx;
  const meta = metadataOf(info);
  const { start, end } = timingOf(info);
  const conversationId = info.optStr('conversation_id') ?? metaStr(meta, 'conversation_id');
  const tenantId = info.optStr('tenant_id') ?? metaStr(meta, 'tenant_id');
  const seed = `generate_name:${tenantId ?? ''}:${conversationId ?? ''}:${start.ns}`;
  const ext = externalOf(info);
  const trace = {
    traceId: ext.otelTraceId ?? traceIdFromSeed(`trace:${seed}`),
    opikTraceId: opikTraceId(start, seed, ext),
  };
  const ms = pythonTimestampMs(start);
  const root = { spanId: spanIdFor(seed), opikSpanId: difyUuid7(ms, `${seed}-root`) };
  const dify: DifyIds = {
    app_id: ctx.appId,
    tenant_id: tenantId,
    conversation_id: conversationId,
  };
  const common = {
    trace,
    start,
    end,
    input: info.raw('inputs'),
    output: info.raw('outputs'),
    dify,
  };
  return [
    buildSpan({
      ...common,
      name: 'generate_conversation_name',
      kind: SpanKind.INTERNAL,
      spanId: root.spanId,
      opikSpanId: root.opikSpanId,
      genAi: { conversationId },
      tags: ['generate_name'],
      metadata: { ...meta, external_trace_id: ext.raw },
    }),
    buildSpan({
      ...common,
      name: 'generate_conversation_name',
      kind: SpanKind.CLIENT,
      spanId: spanIdFor(`${seed}:llm`),
      opikSpanId: difyUuid7(ms, `${seed}-llm`),
      parent: root,
      genAi: { operation: 'chat' },
      metadata: {},
    }),
  ];
}
