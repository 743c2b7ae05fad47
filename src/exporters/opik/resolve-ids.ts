import { hexToBytes, opikIdFromOtel } from '../../opik-ids/otel.js';
import { isUuidV7, uuidV7Timestamp } from '../../opik-ids/uuid.js';
import { eachSpan } from '../../pdata/split.js';
import type { ResourceSpans, ScopeSpans, Span, Traces } from '../../pdata/traces.js';
import { ExplicitIds } from './explicit-ids.js';
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

interface Overrides {
  trace?: string;
  span?: string;
  parent?: string;
}

const OVERRIDE_KEYS: Record<string, keyof Overrides> = {
  'opik.trace_id': 'trace',
  'opik.span_id': 'span',
  'opik.parent_span_id': 'parent',
};

/** The valid UUIDv7 id overrides of a span, lowercased (Opik ignores invalid ones too). One pass. */
function overridesOf(span: Span): Overrides {
  const out: Overrides = {};
  for (const { key, value } of span.attributes) {
    const slot = key.startsWith('opik.') ? OVERRIDE_KEYS[key] : undefined;
    if (slot && out[slot] === undefined && isUuidV7(value)) out[slot] = value.toLowerCase();
  }
  return out;
}

/** Opik's id for an OTel id at a timestamp, each computed once per batch (parents repeat). */
function idDeriver(): (hex: string, ts: number) => string {
  const cache = new Map<string, string>();
  return (hex, ts) => {
    const key = `${hex}:${ts}`;
    let id = cache.get(key);
    if (id === undefined) {
      id = opikIdFromOtel(hexToBytes(hex), ts);
      cache.set(key, id);
    }
    return id;
  };
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
  explicit: ExplicitIds = new ExplicitIds(),
): Promise<SpanWithIds[]> {
  const spans: Array<{
    resource: ResourceSpans;
    scope: ScopeSpans;
    span: Span;
    overrides: Overrides;
  }> = [];
  const candidates = new Map<string, number>();
  for (const { resource, scope, span } of eachSpan(traces)) {
    const overrides = overridesOf(span);
    spans.push({ resource, scope, span, overrides });
    if (overrides.trace) explicit.rememberTrace(span.traceId, overrides.trace);
    if (overrides.span) explicit.rememberSpan(span.traceId, span.spanId, overrides.span);
  }
  for (const { span, overrides } of spans) {
    if (overrides.trace || explicit.trace(span.traceId)) continue;
    const start = ns2ms(span.startTimeUnixNano);
    const seen = candidates.get(span.traceId);
    if (seen === undefined || start < seen) candidates.set(span.traceId, start);
  }
  const timestamps = candidates.size > 0 ? await store.resolve(candidates) : new Map();
  const derive = idDeriver();
  const timestampOf = new Map<string, number>();
  return spans.map(({ resource, scope, span, overrides }) => {
    const traceId =
      overrides.trace ??
      explicit.trace(span.traceId) ??
      derive(span.traceId, timestamps.get(span.traceId) ?? 0);
    let ts = timestampOf.get(traceId);
    if (ts === undefined) {
      ts = uuidV7Timestamp(traceId);
      timestampOf.set(traceId, ts);
    }
    const spanId = overrides.span ?? derive(span.spanId, ts);
    const parentSpanId =
      overrides.parent ??
      (span.parentSpanId === ''
        ? null
        : (explicit.span(span.traceId, span.parentSpanId) ?? derive(span.parentSpanId, ts)));
    return { resource, scope, span, ids: { traceId, spanId, parentSpanId } };
  });
}
