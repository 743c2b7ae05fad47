import type { Settings } from '../../component/types.js';
import type { Adjustment } from './limits.js';

/** The `opik` exporter's own metrics, beside the Collector's `otelcol_exporter_*` ones. */
export interface OpikMetrics {
  sentSpans(path: 'otlp' | 'rest', n: number): void;
  traceRows(kind: 'root' | 'placeholder' | 'stand_in_removed', n: number): void;
  deadLettered(kind: 'span' | 'trace', n: number): void;
  adjusted(reason: Adjustment): void;
  /** 1 while the exporter delivers through its fallback (REST) path. */
  fallbackActive(active: boolean): void;
  fallbackSwitch(to: 'primary' | 'secondary'): void;
  retry(): void;
}

export function opikMetrics(settings: Settings): OpikMetrics {
  const t = settings.telemetry;
  const exporter = settings.id;
  const sent = t.counter(
    'otelcol_exporter_opik_sent_spans_total',
    'Spans delivered to Opik, by the path that carried them (otlp or rest).',
    ['exporter', 'path'],
  );
  const rows = t.counter(
    'otelcol_exporter_opik_trace_rows_total',
    'Trace rows written through the REST API (root = from a top-level span; placeholder = for a trace whose top-level span was not in the batch; stand_in_removed = a stand-in trace removed after its spans moved under their real trace).',
    ['exporter', 'kind'],
  );
  const dead = t.counter(
    'otelcol_exporter_opik_dead_lettered_items_total',
    'Items Opik refused for good, written to the dead-letter file (or dropped without one).',
    ['exporter', 'kind'],
  );
  const adjusted = t.counter(
    'otelcol_exporter_opik_adjusted_items_total',
    'Changes made to fit Opik limits before sending (tags cut, non-numeric usage moved to metadata).',
    ['exporter', 'reason'],
  );
  const active = t.gauge(
    'otelcol_exporter_fallback_active',
    '1 while the exporter sends through its fallback path, 0 on its primary path.',
    ['exporter'],
  );
  const switches = t.counter(
    'otelcol_exporter_fallback_switches_total',
    'Changes of the path in use (to = secondary: the fallback took over; to = primary: the primary works again).',
    ['exporter', 'to'],
  );
  const retries = t.counter(
    'otelcol_exporter_send_retries_total',
    'Failed export attempts that are retried after a backoff.',
    ['exporter'],
  );
  active.labels({ exporter }).set(0);
  return {
    sentSpans: (path, n) => sent.labels({ exporter, path }).inc(n),
    traceRows: (kind, n) => rows.labels({ exporter, kind }).inc(n),
    deadLettered: (kind, n) => dead.labels({ exporter, kind }).inc(n),
    adjusted: (reason) => adjusted.labels({ exporter, reason }).inc(),
    fallbackActive: (on) => active.labels({ exporter }).set(on ? 1 : 0),
    fallbackSwitch: (to) => switches.labels({ exporter, to }).inc(),
    retry: () => retries.labels({ exporter }).inc(),
  };
}
