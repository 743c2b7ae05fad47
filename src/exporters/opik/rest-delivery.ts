import { classify } from './classify.js';
import { type DeliveryContext, deliverAll, verdictError } from './deliver.js';
import type { Payload, SpanEntry, TraceEntry } from './payload.js';
import { toJson } from './values.js';

/** Upserts the payload's trace rows that are not written yet (`POST /v1/private/traces/batch`). */
export function deliverTraceRows(
  payload: Payload,
  ctx: DeliveryContext,
  signal: AbortSignal,
): Promise<void> {
  const pending = payload.traces.filter((t) => !t.done);
  return deliverAll<TraceEntry>(
    pending,
    {
      path: 'rest',
      attempt: async (items, s) => {
        const body = toJson({ traces: items.map((t) => t.opik) as never });
        return classify(
          await ctx.http.postJson('/v1/private/traces/batch', body, s),
          'rest',
          ctx.now(),
        );
      },
      delivered: (items) => {
        for (const t of items) {
          t.done = true;
          ctx.recentTraceRows.add(t.opik.id);
        }
        const placeholders = items.filter((t) => t.placeholder).length;
        if (placeholders > 0) ctx.metrics.traceRows('placeholder', placeholders);
        if (items.length > placeholders) ctx.metrics.traceRows('root', items.length - placeholders);
      },
      refused: async (items, reason) => {
        // A placeholder carries nothing of the user's; only real rows are worth keeping.
        const real = items.filter((t) => !t.placeholder);
        // Done once written: a dead letter that cannot be written fails the attempt instead.
        await ctx.deadLetter(real.map((t) => ({ kind: 'trace', reason, item: t.opik })));
        for (const t of items) t.done = true;
        ctx.metrics.deadLettered('trace', real.length);
      },
    },
    ctx,
    signal,
  );
}

/** Writes spans through `POST /v1/private/spans/batch`. */
export function deliverSpansRest(
  spans: readonly SpanEntry[],
  payload: Payload,
  ctx: DeliveryContext,
  signal: AbortSignal,
): Promise<void> {
  return deliverAll<SpanEntry>(
    spans,
    {
      path: 'rest',
      attempt: async (items, s) => {
        const body = toJson({ spans: items.map((e) => e.opik) as never });
        return classify(
          await ctx.http.postJson('/v1/private/spans/batch', body, s),
          'rest',
          ctx.now(),
        );
      },
      delivered: (items) => {
        for (const e of items) e.done = true;
        ctx.metrics.sentSpans('rest', items.length);
      },
      refused: (items, reason) => refuseSpans(items, reason, payload, ctx),
    },
    ctx,
    signal,
  );
}

export async function refuseSpans(
  items: readonly SpanEntry[],
  reason: string,
  payload: Payload,
  ctx: DeliveryContext,
): Promise<void> {
  await ctx.deadLetter(items.map((e) => ({ kind: 'span', reason, item: e.opik })));
  for (const e of items) e.done = true;
  payload.deadLetteredSpans += items.length;
  ctx.metrics.deadLettered('span', items.length);
}

/**
 * Removes the stand-in traces whose spans moved under their real trace, once those spans are
 * delivered (`POST /v1/private/traces/delete`; Opik deletes a trace's spans with it, and the moved
 * ones no longer belong to it). A removal Opik refuses for good is given up: no data is in it.
 */
export async function removeStandIns(
  payload: Payload,
  ctx: DeliveryContext,
  signal: AbortSignal,
): Promise<void> {
  const pending = payload.standIns.filter((t) => !t.done);
  if (pending.length === 0) return;
  for (let i = 0; i < pending.length; i += ctx.maxItems) {
    const chunk = pending.slice(i, i + ctx.maxItems);
    const body = toJson({ ids: chunk.map((t) => t.id) });
    const verdict = classify(
      await ctx.http.postJson('/v1/private/traces/delete', body, signal),
      'rest',
      ctx.now(),
    );
    if (verdict.kind !== 'ok' && verdict.kind !== 'split' && verdict.kind !== 'reject') {
      throw verdictError(verdict, 'rest');
    }
    for (const t of chunk) {
      t.done = true;
      ctx.recentTraceRows.delete(t.id);
    }
    if (verdict.kind === 'ok') ctx.metrics.traceRows('stand_in_removed', chunk.length);
  }
}
