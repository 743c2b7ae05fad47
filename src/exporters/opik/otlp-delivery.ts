import { encodeSpansRequest } from '../../otlp/proto-codec.js';
import type { Span } from '../../pdata/traces.js';
import { classify } from './classify.js';
import { type DeliveryContext, deliverAll } from './deliver.js';
import type { OpikEncoding } from './opik-version.js';
import type { Payload, SpanEntry } from './payload.js';
import { deliverSpansRest, refuseSpans } from './rest-delivery.js';

/**
 * Which pending spans go over OTLP (in this Opik version's encoding) and which through REST.
 * Over OTLP, Opik clears the usage of a span whose child in the same request has usage
 * (reference/opik.md §2), which the REST path would not do; such parents go through REST so both
 * paths store the same usage.
 */
export function splitByPath(
  spans: readonly SpanEntry[],
  encoding: OpikEncoding,
): { otlp: SpanEntry[]; rest: SpanEntry[] } {
  // Each entry writes its OTLP form once per encoding; asking again only hands back a view of it.
  let parentsOfUsage: Set<string | undefined> | undefined;
  for (const entry of spans) {
    if (entry.done || !entry.ref.hasUsage || 'blocker' in entry.otlp(encoding)) continue;
    parentsOfUsage ??= new Set();
    parentsOfUsage.add(entry.ref.parent_span_id);
  }
  const otlp: SpanEntry[] = [];
  const rest: SpanEntry[] = [];
  for (const entry of spans) {
    if (entry.done) continue;
    const clash = entry.ref.hasUsage && parentsOfUsage?.has(entry.ref.id) === true;
    if (clash || 'blocker' in entry.otlp(encoding)) rest.push(entry);
    else otlp.push(entry);
  }
  return { otlp, rest };
}

/**
 * The OTLP spans (pdata, or their messages' bytes) of entries `splitByPath` sent that way. Taken
 * when the request is encoded, not kept beside the entries while Opik answers.
 */
export function otlpSpans(
  entries: readonly SpanEntry[],
  encoding: OpikEncoding,
): (Span | Uint8Array)[] {
  return entries.map((entry) => {
    const form = entry.otlp(encoding);
    if ('blocker' in form) throw new Error(`a span with no OTLP form: ${form.blocker}`);
    return 'span' in form ? form.span : form.message;
  });
}

/**
 * Sends spans as OTLP/protobuf, each carrying its Opik ids as overrides, under one resource and
 * one unnamed scope: Opik would otherwise stamp the first scope's name on every span of the
 * request as `metadata.integration`, which depends on how spans were batched.
 */
export function deliverSpansOtlp(
  spans: readonly SpanEntry[],
  encoding: OpikEncoding,
  payload: Payload,
  ctx: DeliveryContext,
  signal: AbortSignal,
): Promise<void> {
  return deliverAll<SpanEntry>(
    spans,
    {
      path: 'otlp',
      attempt: async (items, s) => {
        let body: Uint8Array;
        try {
          body = encodeSpansRequest(otlpSpans(items, encoding));
        } catch {
          // Ids or times the OTLP encoder cannot carry: the REST API needs neither.
          await deliverSpansRest(items, payload, ctx, s);
          return { kind: 'handled' };
        }
        return classify(await ctx.http.postOtlp(body, s), 'otlp', ctx.now());
      },
      delivered: (items) => {
        for (const entry of items) entry.done = true;
        ctx.metrics.sentSpans('otlp', items.length);
      },
      refused: (items, reason) => refuseSpans(items, reason, payload, ctx),
    },
    ctx,
    signal,
  );
}
