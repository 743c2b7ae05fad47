/**
 * The Opik ids that spans stated explicitly (`opik.trace_id`, `opik.span_id`), remembered per
 * OTel trace and span, so that a later span of the same trace that states none joins the same
 * Opik trace and finds its parent: node rows posted after their run, message-scoped spans, or
 * spans rebuilt from Dify's Phoenix provider that arrive one per request. Bounded (least recently
 * used forgotten first); in memory, so a span whose explicit sibling came before a restart falls
 * back to Opik's own derivation.
 */
export class ExplicitIds {
  private readonly traces = new Map<string, string>();
  private readonly spans = new Map<string, string>();

  constructor(private readonly maxEntries = 100_000) {}

  rememberTrace(otelTraceId: string, opikTraceId: string): void {
    touch(this.traces, otelTraceId, opikTraceId, this.maxEntries);
  }

  rememberSpan(otelTraceId: string, otelSpanId: string, opikSpanId: string): void {
    touch(this.spans, `${otelTraceId}:${otelSpanId}`, opikSpanId, this.maxEntries);
  }

  trace(otelTraceId: string): string | undefined {
    return this.traces.get(otelTraceId);
  }

  span(otelTraceId: string, otelSpanId: string): string | undefined {
    return this.spans.get(`${otelTraceId}:${otelSpanId}`);
  }
}

function touch(map: Map<string, string>, key: string, value: string, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}
