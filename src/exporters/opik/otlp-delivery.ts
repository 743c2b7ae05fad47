import { encodeSpansRequest } from '../../otlp/proto-codec.js';
import type { Span } from '../../pdata/traces.js';
import { classify } from './classify.js';
import { type DeliveryContext, deliverAll } from './deliver.js';
import type { OpikEncoding } from './opik-version.js';
import type { Payload, SpanEntry } from './payload.js';
import { deliverSpansRest, refuseSpans } from './rest-delivery.js';

/** A pending span and the OTLP span that writes it on this Opik (pdata, or its message's bytes). */
export interface OtlpEntry {
  readonly entry: SpanEntry;
  readonly span: Span | Uint8Array;
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
  // Each entry keeps its OTLP form per encoding, so asking twice costs nothing.
  let parentsOfUsage: Set<string | undefined> | undefined;
  for (const entry of spans) {
    if (entry.done || !entry.ref.hasUsage || 'blocker' in entry.otlp(encoding)) continue;
    parentsOfUsage ??= new Set();
    parentsOfUsage.add(entry.ref.parent_span_id);
  }
  const otlp: OtlpEntry[] = [];
  const rest: SpanEntry[] = [];
  for (const entry of spans) {
    if (entry.done) continue;
    const form = entry.otlp(encoding);
    const clash = entry.ref.hasUsage && parentsOfUsage?.has(entry.ref.id) === true;
    if ('blocker' in form || clash) rest.push(entry);
    else otlp.push({ entry, span: 'span' in form ? form.span : form.message });
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
          body = encodeSpansRequest(items.map((i) => i.span));
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
