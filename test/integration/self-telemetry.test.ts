/**
 * The collector's own metrics: Prometheus text at the metrics address, with the Collector's
 * names, counting what a real request through otlp → batch → file did.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTracesRequest } from '../../src/otlp/proto-codec.js';
import type { OtlpReceiver } from '../../src/receivers/otlp/receiver.js';
import type { Collector } from '../../src/service/collector.js';
import { everyFieldTraces } from '../../src/testing/otlp-fixtures.js';
import { componentOf, startYaml } from './support/pipeline.js';

let collector: Collector;
let text: string;

beforeAll(async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'telemetry-')), 'out.jsonl');
  collector = await startYaml(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  batch:
    timeout: 0s
exporters:
  file:
    path: ${out}
service:
  telemetry:
    metrics:
      address: 127.0.0.1:0
  pipelines:
    traces: { receivers: [otlp], processors: [batch], exporters: [file] }
`);
  const http = componentOf<OtlpReceiver>(collector, 'receiver', 'otlp').addresses.http;
  const body = encodeTracesRequest(everyFieldTraces());
  for (const contentType of ['application/x-protobuf', 'text/plain']) {
    await fetch(`http://${http}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
  }
  text = await (await fetch(`http://${collector.metricsAddress}/metrics`)).text();
});

afterAll(() => collector.shutdown());

const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);

describe('self-telemetry', () => {
  it('counts accepted, sent and batched spans under the Collector’s names', () => {
    const spans = everyFieldTraces().resourceSpans.flatMap((r) =>
      r.scopeSpans.flatMap((s) => s.spans),
    ).length;
    expect(
      value(/otelcol_receiver_accepted_spans_total\{receiver="otlp",transport="http"\} (\d+)/),
    ).toBe(spans);
    expect(value(/otelcol_exporter_sent_spans_total\{exporter="file"\} (\d+)/)).toBe(spans);
    expect(value(/otelcol_processor_batch_batch_send_size_count\{[^}]*\} (\d+)/)).toBe(1);
  });

  it('counts the bad request by its error code', () => {
    expect(
      value(
        /otelcol_receiver_bad_requests_total\{receiver="otlp",transport="http",code="ERR_UNSUPPORTED_MEDIA_TYPE"\} (\d+)/,
      ),
    ).toBe(1);
  });

  it('reports the process’s memory and CPU', () => {
    expect(value(/^otelcol_process_memory_rss (\d+)/m)).toBeGreaterThan(10 * 1024 * 1024);
    expect(value(/^otelcol_process_cpu_seconds_total ([\d.]+)/m)).toBeGreaterThan(0);
    expect(text).toMatch(/^# TYPE otelcol_receiver_refused_spans_total counter/m);
    expect(text).toMatch(/^# TYPE otelcol_exporter_send_failed_spans_total counter/m);
  });
});
