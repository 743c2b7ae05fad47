import { type Span, SpanKind } from '../../../pdata/traces.js';
import { type EnvelopeContext, metadataOf, timingOf, withExtras } from './envelope.js';
import { messageScope, scopedSpan } from './scope.js';

/** ModerationTraceInfo: one `moderation` guardrail span under its message. */
export function moderationSpans(ctx: EnvelopeContext): Span[] {
  const { info } = ctx;
  const flagged = info.optBool('flagged') ?? false;
  const action = info.optStr('action');
  const presetResponse = info.optStr('preset_response');
  return [
    scopedSpan(messageScope(ctx), {
      name: 'moderation',
      seedKind: 'moderation',
      kind: SpanKind.INTERNAL,
      ...timingOf(info),
      genAi: { operation: 'apply_guardrail' },
      input: info.raw('inputs'),
      output: { flagged, action, preset_response: presetResponse },
      tags: ['moderation'],
      metadata: withExtras(metadataOf(info), { flagged, query: info.optStr('query') }),
    }),
  ];
}
