import type { ResourceSpans, ScopeSpans, Span, Traces } from './traces.js';
import { joinWire, splitWire, WireTraces } from './wire-traces.js';

/**
 * Concatenates batches (resources are not de-duplicated: that would cost more than it saves).
 * Batches all in their wire form are joined as bytes.
 */
export function mergeTraces(batches: readonly Traces[]): Traces {
  if (batches.length === 1) return batches[0]!;
  if (batches.every((b) => b instanceof WireTraces)) return joinWire(batches as WireTraces[]);
  const resourceSpans: ResourceSpans[] = [];
  for (const b of batches) resourceSpans.push(...b.resourceSpans);
  return { resourceSpans };
}

/**
 * Splits a batch into batches of at most `maxSpans` spans, keeping each span under its own
 * resource and scope. Returns the input unchanged when it is small enough.
 */
export function splitTraces(traces: Traces, maxSpans: number): Traces[] {
  if (maxSpans <= 0) return [traces];
  if (traces instanceof WireTraces) return splitWire(traces, maxSpans);
  const out: Traces[] = [];
  let current: ResourceSpans[] = [];
  let room = maxSpans;
  const flush = () => {
    if (current.length > 0) out.push({ resourceSpans: current });
    current = [];
    room = maxSpans;
  };
  for (const rs of traces.resourceSpans) {
    let scopes: ScopeSpans[] = [];
    for (const ss of rs.scopeSpans) {
      let spans: readonly Span[] = ss.spans;
      while (spans.length > room) {
        scopes.push({ ...ss, spans: spans.slice(0, room) });
        current.push({ ...rs, scopeSpans: scopes });
        scopes = [];
        spans = spans.slice(room);
        flush();
      }
      if (spans.length > 0 || ss.spans.length === 0) {
        scopes.push(spans === ss.spans ? ss : { ...ss, spans });
        room -= spans.length;
      }
    }
    if (scopes.length > 0) current.push({ ...rs, scopeSpans: scopes });
    if (room === 0) flush();
  }
  flush();
  return out.length === 0 ? [traces] : out;
}

/** Every span with its resource and scope, in order. */
export function* eachSpan(
  traces: Traces,
): Generator<{ resource: ResourceSpans; scope: ScopeSpans; span: Span }> {
  for (const resource of traces.resourceSpans) {
    for (const scope of resource.scopeSpans) {
      for (const span of scope.spans) yield { resource, scope, span };
    }
  }
}
