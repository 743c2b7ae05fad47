import { getString } from '../../pdata/attributes.js';
import { eachSpan } from '../../pdata/split.js';
import type { ResourceSpans, ScopeSpans, Span, Traces } from '../../pdata/traces.js';
import { hexToBytes, isUuidV7, opikIdFromOtel, uuidV7Timestamp } from './ids.js';
import type { TraceTimestampStore } from './trace-memory.js';

/** The Opik ids of one span, as the exporter sends them on every path. */
export interface OpikIds {
  readonly traceId: string;
  readonly spanId: string;
  /** null for a span at the top of its Opik trace. */
  readonly parentSpanId: string | null;
}

export interface SpanWithIds {
  readonly resource: ResourceSpans;
  readonly scope: ScopeSpans;
  readonly span: Span;
  readonly ids: OpikIds;
}

const ns2ms = (ns: bigint) => Number(ns / 1_000_000n);

/** A valid UUIDv7 attribute, lowercased, else undefined (Opik ignores invalid overrides too). */
function override(span: Span, key: string): string | undefined {
  const v = getString(span.attributes, key);
  return isUuidV7(v) ? v.toLowerCase() : undefined;
}

/**
 * Gives every span its Opik ids. Ids a receiver already set (`opik.trace_id`, `opik.span_id`,
 * `opik.parent_span_id`, valid UUIDv7) are kept; the rest follow Opik's own derivation: the trace
 * id from the OTel trace id and the trace's remembered first timestamp, span and parent ids from
 * their OTel ids and the timestamp inside the Opik trace id. Deterministic for a given store, so
 * a retry or the other path sends the same ids.
 */
export async function resolveIds(
  traces: Traces,
  store: TraceTimestampStore,
): Promise<SpanWithIds[]> {
  const spans = [...eachSpan(traces)];
  const candidates = new Map<string, number>();
  for (const { span } of spans) {
    if (override(span, 'opik.trace_id')) continue;
    const start = ns2ms(span.startTimeUnixNano);
    const seen = candidates.get(span.traceId);
    if (seen === undefined || start < seen) candidates.set(span.traceId, start);
  }
  const timestamps = candidates.size > 0 ? await store.resolve(candidates) : new Map();
  return spans.map(({ resource, scope, span }) => {
    const traceId =
      override(span, 'opik.trace_id') ??
      opikIdFromOtel(hexToBytes(span.traceId), timestamps.get(span.traceId) ?? 0);
    const ts = uuidV7Timestamp(traceId);
    const spanId = override(span, 'opik.span_id') ?? opikIdFromOtel(hexToBytes(span.spanId), ts);
    const parentSpanId =
      override(span, 'opik.parent_span_id') ??
      (span.parentSpanId === '' ? null : opikIdFromOtel(hexToBytes(span.parentSpanId), ts));
    return { resource, scope, span, ids: { traceId, spanId, parentSpanId } };
  });
}
