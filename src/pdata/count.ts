import type { Traces } from './traces.js';
import { WireTraces } from './wire-traces.js';

/** Number of spans in a batch: the unit of every `*_spans` metric. */
export function spanCount(traces: Traces): number {
  if (traces instanceof WireTraces) return traces.spanCount;
  let n = 0;
  for (const rs of traces.resourceSpans) {
    for (const ss of rs.scopeSpans) n += ss.spans.length;
  }
  return n;
}
