import { type Span, SpanKind } from '../../../pdata/traces.js';
import {
  type EnvelopeContext,
  errorText,
  metadataOf,
  metaStr,
  timingOf,
  withExtras,
} from './envelope.js';
import { messageScope, scopedSpan } from './scope.js';

/** SuggestedQuestionTraceInfo: one `suggested_question` model call under its message. */
export function suggestedQuestionSpans(ctx: EnvelopeContext): Span[] {
  const { info } = ctx;
  const meta = metadataOf(info);
  const status = info.optStr('status');
  const error =
    errorText(info) ??
    (status === 'error' ? (info.optStr('status_message') ?? 'status error') : undefined);
  const inputs = info.raw('inputs');
  return [
    scopedSpan(messageScope(ctx), {
      name: 'suggested_question',
      seedKind: 'suggested_question',
      kind: SpanKind.CLIENT,
      ...timingOf(info),
      genAi: {
        operation: 'chat',
        provider: info.optStr('model_provider') ?? metaStr(meta, 'ls_provider'),
        model: info.optStr('model_id') ?? metaStr(meta, 'ls_model_name'),
        totalTokens: info.optNum('total_tokens'),
      },
      // A chatflow message has no saved prompt (`""`): the question asked stands in for it.
      input: inputs === '' ? info.optObj('message_data')?.raw('query') : inputs,
      output: info.optArray('suggested_question') ?? [],
      tags: ['suggested_question'],
      metadata: withExtras(meta, {
        status,
        status_message: info.optStr('status_message'),
        level: info.optStr('level'),
        from_source: info.optStr('from_source'),
        agent_based: info.optBool('agent_based'),
      }),
      error: error ? { type: 'SuggestedQuestionError', message: error } : undefined,
    }),
  ];
}
