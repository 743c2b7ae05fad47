import { difyUuid7, spanIdFor } from '../../../opik-ids/dify.js';
import type { Span, SpanKind } from '../../../pdata/traces.js';
import { type EnvelopeContext, externalOf, metadataOf, metaStr, type Timing } from './envelope.js';
import type { JsonObject } from './reader.js';
import { messageRoot, type RootRef, runRoot } from './refs.js';
import { buildSpan, type DifyIds, type GenAiFacts } from './span-builder.js';
import { pythonTimestampMs } from './time.js';

/** The message a moderation, suggested-question, retrieval or tool envelope belongs to. */
export interface MessageScope extends RootRef {
  readonly messageId: string;
  readonly conversationId?: string;
  readonly dify: DifyIds;
}

/**
 * Finds the message's trace and root span from this envelope alone, so the span lands under it
 * whichever envelope arrives first: the message's trace is anchored on `message_data.created_at`
 * (Dify anchors these on the span's own start, which splits them off). A chatflow message
 * (`message_data.workflow_run_id`) belongs to its run's trace instead.
 */
export function messageScope(ctx: EnvelopeContext): MessageScope {
  const { info } = ctx;
  const meta = metadataOf(info);
  const data = info.optObj('message_data');
  const messageId =
    data?.optStr('id') ||
    info.optStr('message_id') ||
    metaStr(meta, 'message_id') ||
    info.str('message_id');
  const runId = data?.optStr('workflow_run_id') || undefined;
  const ext = externalOf(info);
  const anchor = runId
    ? runRoot({ runId, ext })
    : messageRoot({ messageId, created: data?.optTime('created_at'), ext });
  const conversationId = data?.optStr('conversation_id') ?? metaStr(meta, 'conversation_id');
  return {
    ...anchor,
    messageId,
    conversationId,
    dify: {
      app_id: metaStr(meta, 'app_id') ?? data?.optStr('app_id') ?? ctx.appId,
      tenant_id: metaStr(meta, 'tenant_id'),
      workflow_run_id: runId,
      message_id: messageId,
      conversation_id: conversationId,
      user_id: metaStr(meta, 'user_id'),
    },
  };
}

export interface ScopedSpec extends Timing {
  readonly name: string;
  /** Names the entity in the id seeds; the span's start time completes them. */
  readonly seedKind: string;
  readonly kind: SpanKind;
  readonly genAi: GenAiFacts;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly tags: readonly string[];
  readonly metadata: JsonObject;
  readonly error?: { readonly type: string; readonly message: string };
}

/** One span under the message's root span, with ids seeded on the entity and its start time. */
export function scopedSpan(scope: MessageScope, spec: ScopedSpec): Span {
  const seed = `${spec.seedKind}:${scope.messageId}:${spec.start.ns}`;
  return buildSpan({
    ...spec,
    trace: scope.trace,
    spanId: spanIdFor(seed),
    opikSpanId: difyUuid7(pythonTimestampMs(spec.start), seed),
    parent: scope.root,
    genAi: { ...spec.genAi, conversationId: scope.conversationId },
    dify: scope.dify,
  });
}
