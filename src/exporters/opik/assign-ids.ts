import { hexToBytes, opikIdFromOtel } from '../../opik-ids/otel.js';
import { isUuidV7, uuidV7Timestamp } from '../../opik-ids/uuid.js';
import { mapSpans } from '../../pdata/map-spans.js';
import { eachSpan } from '../../pdata/split.js';
import type { KeyValue, Span, Traces } from '../../pdata/traces.js';
import type { IdStore } from '../../storage/id-store.js';

/** The Opik ids of one span, as the exporter sends them on every path. */
export interface OpikIds {
  readonly traceId: string;
  readonly spanId: string;
  /** null for a span at the top of its Opik trace. */
  readonly parentSpanId: string | null;
}

export const ID_KEYS = ['opik.trace_id', 'opik.span_id', 'opik.parent_span_id'] as const;
const SLOTS: Record<string, keyof Stated> = {
  'opik.trace_id': 'trace',
  'opik.span_id': 'span',
  'opik.parent_span_id': 'parent',
};

/** The ids a span states itself: valid UUIDv7 `opik.*` attributes, lowercased (Opik ignores others). */
interface Stated {
  trace?: string;
  span?: string;
  parent?: string;
}

function statedIds(span: Span): Stated {
  const out: Stated = {};
  for (const { key, value } of span.attributes) {
    const slot = key.startsWith('opik.') ? SLOTS[key] : undefined;
    if (slot && out[slot] === undefined && isUuidV7(value)) out[slot] = value.toLowerCase();
  }
  return out;
}

const ns2ms = (ns: bigint) => Number(ns / 1_000_000n);
const spanKey = (traceId: string, spanId: string) => `${traceId}:${spanId}`;

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
 * Gives every span its Opik ids and writes them onto it (`opik.trace_id`, `opik.span_id`,
 * `opik.parent_span_id`), so that every later step, every retry and either path sends the same
 * ids, and a batch delivered from a persistent queue after a restart gets the ids it got now.
 *
 * Ids a span states (valid UUIDv7 `opik.*`, set by a receiver) are kept and remembered in the id
 * store: a later span of the same OTel trace that states none joins the same Opik trace and finds
 * its parent's Opik id (node rows posted after their run, message-scoped spans). The rest follow
 * Opik's own derivation: the trace id from the OTel trace id and the trace's first-stored
 * timestamp (the earliest start in the first batch that carried it), span and parent ids from
 * their OTel ids and the timestamp inside the Opik trace id. One round trip to the store.
 */
export async function assignIds(traces: Traces, store: IdStore): Promise<Traces> {
  const spans: Array<{ span: Span; stated: Stated }> = [];
  const statedTraces = new Map<string, string>();
  const statedSpans = new Map<string, string>();
  for (const { span } of eachSpan(traces)) {
    const stated = statedIds(span);
    spans.push({ span, stated });
    if (stated.trace && !statedTraces.has(span.traceId))
      statedTraces.set(span.traceId, stated.trace);
    if (stated.span) statedSpans.set(spanKey(span.traceId, span.spanId), stated.span);
  }
  if (spans.length === 0) return traces;
  const firstStart = new Map<string, number>();
  const parents = new Set<string>();
  for (const { span, stated } of spans) {
    if (!statedTraces.has(span.traceId)) {
      const start = ns2ms(span.startTimeUnixNano);
      const seen = firstStart.get(span.traceId);
      if (seen === undefined || start < seen) firstStart.set(span.traceId, start);
    }
    const parent = spanKey(span.traceId, span.parentSpanId);
    if (!stated.parent && span.parentSpanId !== '' && !statedSpans.has(parent)) parents.add(parent);
  }
  const none = Promise.resolve(new Map<string, string>());
  // Issued together: a networked store answers them in one round trip. The timestamp is stored
  // for every trace no span of this batch names, even one the store knows an Opik id for.
  const [traceIds, spanIds, knownTraces, knownSpans, timestamps] = await Promise.all([
    statedTraces.size > 0 ? store.putIfAbsent('opik_trace', statedTraces) : none,
    statedSpans.size > 0 ? store.putIfAbsent('opik_span', statedSpans) : none,
    firstStart.size > 0 ? store.get('opik_trace', firstStart.keys()) : none,
    parents.size > 0 ? store.get('opik_span', parents) : none,
    firstStart.size > 0
      ? store.putIfAbsent('trace_timestamp', mapValues(firstStart, String))
      : none,
  ]);
  const derive = idDeriver();
  const ids = new Map<Span, OpikIds>();
  for (const { span, stated } of spans) {
    const traceId =
      stated.trace ??
      traceIds.get(span.traceId) ??
      knownTraces.get(span.traceId) ??
      derive(span.traceId, Number(timestamps.get(span.traceId) ?? 0));
    const ts = uuidV7Timestamp(traceId);
    const parentKey = spanKey(span.traceId, span.parentSpanId);
    ids.set(span, {
      traceId,
      spanId: stated.span ?? derive(span.spanId, ts),
      parentSpanId:
        stated.parent ??
        (span.parentSpanId === ''
          ? null
          : (spanIds.get(parentKey) ?? knownSpans.get(parentKey) ?? derive(span.parentSpanId, ts))),
    });
  }
  return mapSpans(traces, ({ span }) => withIds(span, ids.get(span)!));
}

/** The span with exactly these Opik ids as its `opik.*` id attributes. */
export function withIds(span: Span, ids: OpikIds): Span {
  const attributes: KeyValue[] = span.attributes.filter(
    (kv) => !(ID_KEYS as readonly string[]).includes(kv.key),
  );
  attributes.push(
    { key: 'opik.trace_id', value: ids.traceId },
    { key: 'opik.span_id', value: ids.spanId },
  );
  if (ids.parentSpanId !== null)
    attributes.push({ key: 'opik.parent_span_id', value: ids.parentSpanId });
  return { ...span, attributes };
}

/** The ids `assignIds` wrote onto a span. */
export function assignedIds(span: Span): OpikIds {
  const stated = statedIds(span);
  if (!stated.trace || !stated.span) {
    throw new Error(`span ${span.spanId} reached the Opik mapping without its Opik ids`);
  }
  return { traceId: stated.trace, spanId: stated.span, parentSpanId: stated.parent ?? null };
}

function mapValues<K, V, W>(m: ReadonlyMap<K, V>, f: (v: V) => W): Map<K, W> {
  return new Map([...m].map(([k, v]) => [k, f(v)]));
}
