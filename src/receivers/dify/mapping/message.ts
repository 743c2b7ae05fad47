import { type Span, SpanKind } from '../../../pdata/traces.js';
import {
  type EnvelopeContext,
  errorText,
  externalOf,
  metadataOf,
  metaStr,
  timingOf,
  withExtras,
} from './envelope.js';
import { spanIdFor } from './ids.js';
import { usdCost } from './node-kind.js';
import { difyUuid7 } from './opik-ids.js';
import { messageRoot } from './refs.js';
import { buildSpan, type DifyIds } from './span-builder.js';
import { pythonTimestampMs } from './time.js';

/**
 * MessageTraceInfo (chat, agent-chat and completion apps): a root span `message` for the turn and
 * a child `llm` for the model call, with its prompt messages and token usage.
 */
export function messageSpans(ctx: EnvelopeContext): Span[] {
  const { info } = ctx;
  const meta = metadataOf(info);
  const data = info.optObj('message_data');
  const messageId = info.optStr('message_id') || data?.optStr('id') || info.str('message_id');
  const { start, end } = timingOf(info);
  const ext = externalOf(info);
  const { trace, root } = messageRoot({ messageId, created: start, ext });
  const mode = info.optStr('conversation_mode') ?? 'chat';
  const conversationId = metaStr(meta, 'conversation_id') ?? data?.optStr('conversation_id');
  const error = errorText(info);
  const dify: DifyIds = {
    app_id: metaStr(meta, 'app_id') ?? ctx.appId,
    tenant_id: metaStr(meta, 'tenant_id'),
    message_id: messageId,
    conversation_id: conversationId,
    user_id: metaStr(meta, 'user_id'),
  };
  const failure = error ? { type: 'MessageError', message: error } : undefined;
  const usage = data?.optObj('message_metadata')?.optObj('usage')?.obj;
  const rootSpan = buildSpan({
    name: 'message',
    kind: SpanKind.INTERNAL,
    trace,
    spanId: root.spanId,
    opikSpanId: root.opikSpanId,
    start,
    end,
    genAi: { operation: mode === 'agent-chat' ? 'invoke_agent' : undefined, conversationId },
    // The turn as a person reads it in an Opik thread; the prompt list goes to the `llm` span.
    input: data ? { query: data.raw('query'), inputs: data.raw('inputs') } : info.raw('inputs'),
    output: info.raw('outputs'),
    tags: ['message', mode],
    metadata: withExtras(meta, {
      conversation_mode: mode,
      file_list: info.raw('file_list'),
      message_file_data: info.raw('message_file_data'),
      total_price: data?.raw('total_price'),
      currency: usage?.currency,
      is_streaming_request: info.optBool('is_streaming_request'),
      gen_ai_server_time_to_first_token: info.optNum('gen_ai_server_time_to_first_token'),
      llm_streaming_time_to_generate: info.optNum('llm_streaming_time_to_generate'),
      external_trace_id: ext.raw,
    }),
    dify,
    error: failure,
  });
  const seed = `llm:${messageId}`;
  const llm = buildSpan({
    name: 'llm',
    kind: SpanKind.CLIENT,
    trace,
    spanId: spanIdFor(seed),
    opikSpanId: difyUuid7(pythonTimestampMs(start), seed),
    parent: root,
    start,
    end,
    genAi: {
      operation: info.optStr('conversation_model') === 'completion' ? 'text_completion' : 'chat',
      provider: metaStr(meta, 'ls_provider'),
      model: metaStr(meta, 'ls_model_name') ?? data?.optStr('model_id'),
      inputTokens: info.optNum('message_tokens'),
      outputTokens: info.optNum('answer_tokens'),
      totalTokens: info.optNum('total_tokens'),
      costUsd: usage ? usdCost(usage) : undefined,
    },
    input: info.raw('inputs'),
    output: info.raw('outputs'),
    metadata: {},
    dify,
    error: failure,
  });
  return [rootSpan, llm];
}
