import type { Counter } from 'prom-client';
import type { Telemetry } from '../../telemetry/telemetry.js';

/** The types Dify is known to write that have no mapping; any other type is counted as `other`. */
const KNOWN_SKIPPED = new Set([
  'dict',
  'NoneType',
  'PromptGenerationTraceInfo',
  'WorkflowNodeTraceInfo',
  'DraftNodeExecutionTrace',
]);

/** The label value for a skipped type: one of a fixed set, so the label's cardinality stays bounded. */
export function skippedTypeLabel(traceInfoType: string): string {
  return KNOWN_SKIPPED.has(traceInfoType) ? traceInfoType : 'other';
}

export type SkippedCounter = Counter<'receiver' | 'transport' | 'trace_info_type'>;

/** `otelcol_receiver_skipped_envelopes_total`: envelopes answered 2xx but not converted. */
export function skippedEnvelopes(telemetry: Telemetry): SkippedCounter {
  return telemetry.counter(
    'otelcol_receiver_skipped_envelopes_total',
    'Dify envelopes accepted but not converted because their trace_info_type has no mapping (empty or enterprise-only types).',
    ['receiver', 'transport', 'trace_info_type'],
  );
}
