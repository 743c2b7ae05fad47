import type { Settings } from '../../component/types.js';
import { skippedTypeLabel } from '../dify/metrics.js';
import type { SetAsideReason } from './prepare.js';

/** The trace types the `dify` mapping converts; any other type is labelled as a skipped one. */
const MAPPED = new Set([
  'WorkflowTraceInfo',
  'MessageTraceInfo',
  'ModerationTraceInfo',
  'SuggestedQuestionTraceInfo',
  'DatasetRetrievalTraceInfo',
  'ToolTraceInfo',
  'GenerateNameTraceInfo',
]);

/** A bounded label for a `trace_info_type`. */
export function typeLabel(traceInfoType: string): string {
  return MAPPED.has(traceInfoType) ? traceInfoType : skippedTypeLabel(traceInfoType);
}

/** The receiver's own metrics (README, "Metrics"), bound to its id. */
export function queueMetrics(settings: Settings, processing: () => number) {
  const t = settings.telemetry;
  const receiver = settings.id;
  const taken = t.counter(
    'otelcol_dify_queue_receiver_messages_taken_total',
    'Messages taken from Dify’s trace queue, or again from the processing list after a restart.',
    ['receiver', 'from'],
  );
  const envelopes = t.counter(
    'otelcol_dify_queue_receiver_envelopes_total',
    'Trace envelopes read from Dify’s storage, by trace_info_type.',
    ['receiver', 'trace_info_type'],
  );
  const nodeRows = t.counter(
    'otelcol_dify_queue_receiver_node_rows_total',
    'Workflow node execution rows read from Dify’s database.',
    ['receiver'],
  );
  const offloads = t.counter(
    'otelcol_dify_queue_receiver_offloaded_payloads_total',
    'Node payloads Dify offloaded to storage: loaded, or missing (the truncated value was used).',
    ['receiver', 'outcome'],
  );
  const setAside = t.counter(
    'otelcol_dify_queue_receiver_set_aside_total',
    'Messages moved to the dead-letter list instead of being processed, by reason.',
    ['receiver', 'reason'],
  );
  t.gauge(
    'otelcol_dify_queue_receiver_processing_messages',
    'Messages in the processing list: taken and not yet finished.',
    ['receiver'],
    (g) => g.set({ receiver }, processing()),
  );
  return {
    taken: (from: 'queue' | 'processing_list') => taken.inc({ receiver, from }),
    envelope: (type: string) => envelopes.inc({ receiver, trace_info_type: typeLabel(type) }),
    nodeRows: (n: number) => nodeRows.inc({ receiver }, n),
    offloads: (outcome: 'loaded' | 'missing', n: number) => {
      if (n > 0) offloads.inc({ receiver, outcome }, n);
    },
    setAside: (reason: SetAsideReason) => setAside.inc({ receiver, reason }),
  };
}

export type QueueMetrics = ReturnType<typeof queueMetrics>;
