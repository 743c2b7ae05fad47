import { afterEach, describe, expect, it } from 'vitest';
import { RetryableError } from '../../src/errors/errors.js';
import { spanCount } from '../../src/pdata/count.js';
import { makeSpan, makeTraces } from '../../src/pdata/span.js';
import type { Collector } from '../../src/service/collector.js';
import { heads, sinks, startYaml } from './support/pipeline.js';

const CONFIG = `
receivers:
  capture:
processors:
  batch:
    send_batch_size: 4
    send_batch_max_size: 4
    timeout: 10m
exporters:
  sink:
service:
  telemetry:
    metrics:
      address: 127.0.0.1:0
  pipelines:
    traces:
      receivers: [capture]
      processors: [batch]
      exporters: [sink]
`;

let n = 0;
const spans = (count: number) =>
  makeTraces(
    Array.from({ length: count }, () =>
      makeSpan({
        traceId: 'c'.repeat(32),
        spanId: (++n).toString(16).padStart(16, '0'),
        name: 'x',
      }),
    ),
  );

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.shutdown();
  collector = undefined;
});

describe('batch processor in a running pipeline', () => {
  it('answers the receiver only once the exporter has the batch, and flushes the rest on shutdown', async () => {
    collector = await startYaml(CONFIG);
    const head = heads.get('capture')!;
    const sink = sinks.get('sink')!;
    let firstDone = false;
    const first = head.consume(spans(3)).then(() => {
      firstDone = true;
    });
    for (let i = 0; i < 5; i++) await new Promise(setImmediate); // let any premature answer through
    expect([firstDone, sink.batches.length]).toEqual([false, 0]);
    const second = head.consume(spans(2));
    await first;
    expect(sink.batches.map(spanCount)).toEqual([4]);
    await collector.shutdown();
    await second;
    expect(sink.batches.map(spanCount)).toEqual([4, 1]);
  });

  it('hands the exporter error back to the receiver', async () => {
    collector = await startYaml(CONFIG);
    const refusal = new RetryableError('ERR_EXPORT_FAILED', 'Opik is down', { retryAfterMs: 2000 });
    sinks.get('sink')!.fail = refusal;
    await expect(heads.get('capture')!.consume(spans(4))).rejects.toBe(refusal);
    const metrics = await collector.telemetry.registry.getSingleMetricAsString(
      'otelcol_processor_batch_batch_size_trigger_send_total',
    );
    expect(metrics).toContain(
      'otelcol_processor_batch_batch_size_trigger_send_total{processor="batch"} 1',
    );
  });
});
