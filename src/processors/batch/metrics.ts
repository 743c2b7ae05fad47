import type { Counter, Histogram } from 'prom-client';
import type { Settings } from '../../component/types.js';

/** Bucket bounds of the Collector's `otelcol_processor_batch_batch_send_size`. */
export const SEND_SIZE_BUCKETS = [
  10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000,
  20000, 30000, 50000, 100000,
];

/** The batch processor's metrics, under the Collector's names, bound to one instance. */
export interface BatchMetrics {
  readonly incoming: Counter.Internal;
  readonly outgoing: Counter.Internal;
  readonly sendSize: Histogram.Internal<string>;
  readonly sizeTrigger: Counter.Internal;
  readonly timeoutTrigger: Counter.Internal;
}

export function batchMetrics(settings: Settings): BatchMetrics {
  const t = settings.telemetry;
  const processor = { processor: settings.id };
  const items = { ...processor, pipeline: settings.pipelineId ?? '' };
  return {
    incoming: t.processorIncomingItems.labels(items),
    outgoing: t.processorOutgoingItems.labels(items),
    sendSize: t
      .histogram(
        'otelcol_processor_batch_batch_send_size',
        'Number of spans in each batch sent downstream.',
        ['processor'],
        SEND_SIZE_BUCKETS,
      )
      .labels(processor),
    sizeTrigger: t
      .counter(
        'otelcol_processor_batch_batch_size_trigger_send_total',
        'Batches sent because they reached send_batch_size.',
        ['processor'],
      )
      .labels(processor),
    timeoutTrigger: t
      .counter(
        'otelcol_processor_batch_timeout_trigger_send_total',
        'Batches sent because the timeout expired (or the processor shut down).',
        ['processor'],
      )
      .labels(processor),
  };
}
