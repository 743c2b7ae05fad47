import type { Traces } from './traces.js';

/** Number of spans in a batch: the unit of every `*_spans` metric. */
export function spanCount(traces: Traces): number {
  let n = 0;
  for (const rs of traces.resourceSpans) {
    for (const ss of rs.scopeSpans) n += ss.spans.length;
  }
  return n;
}
