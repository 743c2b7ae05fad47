import type { Settings } from '../../component/types.js';
import type { SendingQueueConfig } from './config.js';

/** The queue's metrics, under the Collector's names where it has them. */
export function queueMetrics(settings: Settings, config: SendingQueueConfig) {
  const labels = { exporter: settings.id };
  let current = () => 0;
  const t = settings.telemetry;
  t.gauge(
    'otelcol_exporter_queue_size',
    'Current size of the sending queue, in its sizer units.',
    ['exporter'],
    (g) => g.labels(labels).set(current()),
  );
  t.gauge('otelcol_exporter_queue_capacity', 'Capacity of the sending queue, in its sizer units.', [
    'exporter',
  ])
    .labels(labels)
    .set(config.queue_size);
  const enqueueFailed = t.exporterEnqueueFailedSpans.labels(labels);
  const dropped = t.counter(
    'otelcol_exporter_queue_dropped_spans_total',
    'Spans dropped from a full sending queue to make room (drop_policy: oldest).',
    ['exporter'],
  );
  return {
    observe(size: () => number) {
      current = size;
    },
    enqueueFailed: (n: number) => enqueueFailed.inc(n),
    dropped: (n: number) => dropped.labels(labels).inc(n),
  };
}
