import type { Counter } from 'prom-client';
import type { Settings } from '../../../component/types.js';

export type GiveUpReason = 'wait_duration' | 'num_traces' | 'limit_mib' | 'shutdown';

/** The hold's metrics, named after the Collector's `groupbytrace` processor's. */
export interface HoldMetrics {
  /** Spans that entered the hold. */
  readonly held: Counter.Internal;
  /** Spans released with their run or message. */
  readonly released: Counter.Internal;
  /** Spans released without it, by why the wait ended. */
  readonly givenUp: (reason: GiveUpReason) => Counter.Internal;
  /** Writes of the hold's storage that failed (their requests refused). */
  readonly storeFailed: Counter.Internal;
}

export function holdMetrics(
  settings: Settings,
  state: () => { traces: number; spans: number; bytes: number },
): HoldMetrics {
  const t = settings.telemetry;
  const processor = { processor: settings.id };
  const gauge = (name: string, help: string, pick: (s: ReturnType<typeof state>) => number) =>
    t.gauge(name, help, ['processor'], (g) => g.set(processor, pick(state())));
  gauge(
    'otelcol_processor_genai_dify_traces_in_memory',
    'OTel traces with Dify spans waiting for their run or message.',
    (s) => s.traces,
  );
  gauge(
    'otelcol_processor_genai_dify_spans_in_memory',
    'Dify spans waiting for their run or message.',
    (s) => s.spans,
  );
  gauge(
    'otelcol_processor_genai_dify_bytes_in_memory',
    'Estimated memory of the Dify spans waiting.',
    (s) => s.bytes,
  );
  const givenUp = t.counter(
    'otelcol_processor_genai_dify_spans_given_up_total',
    'Dify spans released without their run or message (derived ids), by why the wait ended.',
    ['processor', 'reason'],
  );
  return {
    held: t
      .counter(
        'otelcol_processor_genai_dify_spans_held_total',
        'Dify spans that waited for their run or message.',
        ['processor'],
      )
      .labels(processor),
    released: t
      .counter(
        'otelcol_processor_genai_dify_spans_released_total',
        'Dify spans released with their run or message.',
        ['processor'],
      )
      .labels(processor),
    givenUp: (reason) => givenUp.labels({ ...processor, reason }),
    storeFailed: t
      .counter(
        'otelcol_processor_genai_dify_storage_write_failures_total',
        'Writes of the Dify hold to its storage that failed; their requests were refused (503).',
        ['processor'],
      )
      .labels(processor),
  };
}
