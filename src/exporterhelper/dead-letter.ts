import type { Settings } from '../component/types.js';
import { spanCount } from '../pdata/count.js';
import type { Traces } from '../pdata/traces.js';

/** Writes a batch given up on, with the reason; rejects when it could not be written. */
export type DeadLetter = (traces: Traces, reason: string) => Promise<void>;

/**
 * The exporter's dead-letter writer, counting its spans under
 * `otelcol_exporter_dead_lettered_spans_total` only once they are written: what could not be
 * written stays where it was (the queue) and is not counted.
 */
export function countedDeadLetter(settings: Settings, write: DeadLetter): DeadLetter {
  const counter = settings.telemetry
    .counter(
      'otelcol_exporter_dead_lettered_spans_total',
      'Spans given up on and written to the dead-letter file.',
      ['exporter'],
    )
    .labels({ exporter: settings.id });
  return async (traces, reason) => {
    await write(traces, reason);
    counter.inc(spanCount(traces));
  };
}
