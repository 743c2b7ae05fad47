import { makeTraces } from '../../pdata/span.js';
import type { Traces } from '../../pdata/traces.js';
import { classify } from './classify.js';
import { type DeliveryContext, deliverAll } from './deliver.js';
import type { Payload, SpanEntry } from './payload.js';
import { deliverSpansRest, refuseSpans } from './rest-delivery.js';

export type Encode = (traces: Traces) => Uint8Array;

/**
 * Which pending spans go over OTLP and which through REST. Over OTLP, Opik clears the usage of a
 * span whose child in the same request has usage (reference/opik.md §2), which the REST path
 * would not do; such parents go through REST so both paths store the same usage.
 */
export function splitByPath(spans: readonly SpanEntry[]): { otlp: SpanEntry[]; rest: SpanEntry[] } {
  const pending = spans.filter((s) => !s.done);
  const overOtlp = pending.filter((s) => s.otlp !== null);
  const parentsOfUsage = new Set(
    overOtlp.filter((s) => s.ref.hasUsage).map((s) => s.ref.parent_span_id),
  );
  const otlp: SpanEntry[] = [];
  const rest: SpanEntry[] = [];
  for (const s of pending) {
    const clash = s.ref.hasUsage && parentsOfUsage.has(s.ref.id);
    (s.otlp !== null && !clash ? otlp : rest).push(s);
  }
  return { otlp, rest };
}

/**
 * Sends spans as OTLP/protobuf, each carrying its Opik ids as overrides, under one resource and
 * one unnamed scope: Opik would otherwise stamp the first scope's name on every span of the
 * request as `metadata.integration`, which depends on how spans were batched.
 */
export function deliverSpansOtlp(
  spans: readonly SpanEntry[],
  payload: Payload,
  ctx: DeliveryContext,
  encode: Encode,
  signal: AbortSignal,
): Promise<void> {
  return deliverAll<SpanEntry>(
    spans,
    {
      path: 'otlp',
      attempt: async (items, s) => {
        let body: Uint8Array;
        try {
          body = encode(makeTraces(items.map((e) => e.otlp!)));
        } catch {
          // Ids or times the OTLP encoder cannot carry: the REST API needs neither.
          await deliverSpansRest(items, payload, ctx, s);
          return { kind: 'handled' };
        }
        return classify(await ctx.http.postOtlp(body, s), 'otlp', ctx.now());
      },
      delivered: (items) => {
        for (const e of items) e.done = true;
        ctx.metrics.sentSpans('otlp', items.length);
      },
      refused: (items, reason) => refuseSpans(items, reason, payload, ctx),
    },
    ctx,
    signal,
  );
}
