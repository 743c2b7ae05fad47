import { makeTraces } from '../../pdata/span.js';
import type { Span, Traces } from '../../pdata/traces.js';
import { classify } from './classify.js';
import { type DeliveryContext, deliverAll } from './deliver.js';
import type { OpikEncoding } from './opik-version.js';
import type { Payload, SpanEntry } from './payload.js';
import { deliverSpansRest, refuseSpans } from './rest-delivery.js';

export type Encode = (traces: Traces) => Uint8Array;

/** A pending span and the OTLP span that writes it on this Opik. */
export interface OtlpEntry {
  readonly entry: SpanEntry;
  readonly span: Span;
}

/**
 * Which pending spans go over OTLP (in this Opik version's encoding) and which through REST.
 * Over OTLP, Opik clears the usage of a span whose child in the same request has usage
 * (reference/opik.md §2), which the REST path would not do; such parents go through REST so both
 * paths store the same usage.
 */
export function splitByPath(
  spans: readonly SpanEntry[],
  encoding: OpikEncoding,
): { otlp: OtlpEntry[]; rest: SpanEntry[] } {
  const pending = spans
    .filter((s) => !s.done)
    .map((entry) => ({ entry, form: entry.otlp(encoding) }));
  const parentsOfUsage = new Set(
    pending
      .filter((p) => 'span' in p.form && p.entry.ref.hasUsage)
      .map((p) => p.entry.ref.parent_span_id),
  );
  const otlp: OtlpEntry[] = [];
  const rest: SpanEntry[] = [];
  for (const { entry, form } of pending) {
    const clash = entry.ref.hasUsage && parentsOfUsage.has(entry.ref.id);
    if ('span' in form && !clash) otlp.push({ entry, span: form.span });
    else rest.push(entry);
  }
  return { otlp, rest };
}

/**
 * Sends spans as OTLP/protobuf, each carrying its Opik ids as overrides, under one resource and
 * one unnamed scope: Opik would otherwise stamp the first scope's name on every span of the
 * request as `metadata.integration`, which depends on how spans were batched.
 */
export function deliverSpansOtlp(
  spans: readonly OtlpEntry[],
  payload: Payload,
  ctx: DeliveryContext,
  encode: Encode,
  signal: AbortSignal,
): Promise<void> {
  const entries = (items: readonly OtlpEntry[]) => items.map((i) => i.entry);
  return deliverAll<OtlpEntry>(
    spans,
    {
      path: 'otlp',
      attempt: async (items, s) => {
        let body: Uint8Array;
        try {
          body = encode(makeTraces(items.map((i) => i.span)));
        } catch {
          // Ids or times the OTLP encoder cannot carry: the REST API needs neither.
          await deliverSpansRest(entries(items), payload, ctx, s);
          return { kind: 'handled' };
        }
        return classify(await ctx.http.postOtlp(body, s), 'otlp', ctx.now());
      },
      delivered: (items) => {
        for (const i of items) i.entry.done = true;
        ctx.metrics.sentSpans('otlp', items.length);
      },
      refused: (items, reason) => refuseSpans(entries(items), reason, payload, ctx),
    },
    ctx,
    signal,
  );
}
