import { difyUuid7, spanIdFor } from '../../../opik-ids/dify.js';
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
import { usdCost } from './node-kind.js';
import type { JsonObject, Reader } from './reader.js';
import { messageRoot } from './refs.js';
import { buildSpan, type SpanSpec } from './span-builder.js';
import { pythonTimestampMs } from './time.js';

/** What the `message` root and its `llm` child share. */
type Shared = Pick<SpanSpec, 'trace' | 'start' | 'end' | 'dify' | 'error'>;

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
  const { trace, root } = messageRoot({ messageId, created: start, ext: externalOf(info) });
  const conversationId = metaStr(meta, 'conversation_id') ?? data?.optStr('conversation_id');
  const error = errorText(info);
  const shared: Shared = {
    trace,
    start,
    end,
    dify: {
      app_id: metaStr(meta, 'app_id') ?? ctx.appId,
      tenant_id: metaStr(meta, 'tenant_id'),
      message_id: messageId,
      conversation_id: conversationId,
      user_id: metaStr(meta, 'user_id'),
    },
    error: error ? { type: 'MessageError', message: error } : undefined,
  };
  const rootSpan = turnSpan(
    info,
    data,
    meta,
    { ...shared, spanId: root.spanId, opikSpanId: root.opikSpanId },
    conversationId,
  );
  const seed = `llm:${messageId}`;
  const llm = modelCallSpan(info, data, meta, {
    ...shared,
    spanId: spanIdFor(seed),
    opikSpanId: difyUuid7(pythonTimestampMs(start), seed),
    parent: root,
  });
  return [rootSpan, llm];
}

type Ids = Shared & Pick<SpanSpec, 'spanId' | 'opikSpanId' | 'parent'>;

/** The turn as a person reads it in an Opik thread: the question in, the answer out. */
function turnSpan(
  info: Reader,
  data: Reader | undefined,
  meta: JsonObject,
  ids: Ids,
  conversationId?: string,
): Span {
  const mode = info.optStr('conversation_mode') ?? 'chat';
  return buildSpan({
    ...ids,
    name: 'message',
    kind: SpanKind.INTERNAL,
    genAi: { operation: mode === 'agent-chat' ? 'invoke_agent' : undefined, conversationId },
    // The full prompt list goes to the `llm` span; the root carries what the user asked.
    input: data ? { query: data.raw('query'), inputs: data.raw('inputs') } : info.raw('inputs'),
    output: info.raw('outputs'),
    tags: ['message', mode],
    metadata: withExtras(meta, {
      conversation_mode: mode,
      file_list: info.raw('file_list'),
      message_file_data: info.raw('message_file_data'),
      total_price: data?.raw('total_price'),
      currency: usageOf(data)?.currency,
      is_streaming_request: info.optBool('is_streaming_request'),
      gen_ai_server_time_to_first_token: info.optNum('gen_ai_server_time_to_first_token'),
      llm_streaming_time_to_generate: info.optNum('llm_streaming_time_to_generate'),
      external_trace_id: externalOf(info).raw,
    }),
  });
}

/** The model call: prompt messages in, the answer out, tokens, model and provider. */
function modelCallSpan(info: Reader, data: Reader | undefined, meta: JsonObject, ids: Ids): Span {
  const usage = usageOf(data);
  return buildSpan({
    ...ids,
    name: 'llm',
    kind: SpanKind.CLIENT,
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
  });
}

/** `message_data.message_metadata.usage`: Dify's LLMUsage with the price and its currency. */
function usageOf(data: Reader | undefined): JsonObject | undefined {
  return data?.optObj('message_metadata')?.optObj('usage')?.obj;
}
