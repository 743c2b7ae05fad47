import { mapSpans } from '../../pdata/map-spans.js';
import type { KeyValue, Traces } from '../../pdata/traces.js';
import type { ExplicitIds } from './explicit-ids.js';
import { isReceivedObject } from './received-objects.js';
import { resolveIds } from './resolve-ids.js';
import type { TraceTimestampStore } from './trace-memory.js';

const ID_KEYS = ['opik.trace_id', 'opik.span_id', 'opik.parent_span_id'];

/**
 * Writes each span's Opik ids onto it as `opik.*` attributes before the batch is queued, so a
 * batch delivered after a restart, or hours later, gets exactly the ids it would have got now:
 * the trace-timestamp memory is consulted once, at enqueue time.
 */
export async function stampIds(
  traces: Traces,
  store: TraceTimestampStore,
  explicitIds?: ExplicitIds,
): Promise<Traces> {
  const canonical = mapSpans(traces, ({ span }) => (isReceivedObject(span) ? null : span));
  const resolved = await resolveIds(canonical, store, explicitIds);
  const ids = new Map(resolved.map((r) => [r.span, r.ids]));
  return mapSpans(traces, ({ span }) => {
    const id = ids.get(span);
    // An Opik object received as such keeps the ids it came with.
    if (!id) return span;
    const attributes: KeyValue[] = span.attributes.filter((kv) => !ID_KEYS.includes(kv.key));
    attributes.push(
      { key: 'opik.trace_id', value: id.traceId },
      { key: 'opik.span_id', value: id.spanId },
    );
    if (id.parentSpanId !== null)
      attributes.push({ key: 'opik.parent_span_id', value: id.parentSpanId });
    return { ...span, attributes };
  });
}
