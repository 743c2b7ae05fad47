/**
 * Sidecars and a gateway: a collector (the sidecar) forwards through its `otlp` (gRPC) or
 * `otlphttp` exporter into a second collector's `otlp` receiver (the gateway), which sends to
 * Opik with a persistent queue. Every span reaches the gateway unchanged, field by field, while
 * Opik is down; the gateway has acknowledged them, keeps them across its own restart, and
 * delivers them all once Opik is back. A gateway that refuses for a while is waited for as long as
 * it asks (HTTP Retry-After, gRPC RetryInfo), which the sidecar reads from the gateway's answers.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RetryableError } from '../../src/errors/errors.js';
import { encodeTracesRequest } from '../../src/otlp/proto-codec.js';
import { makeSpan, makeTraces } from '../../src/pdata/span.js';
import type { Traces } from '../../src/pdata/traces.js';
import type { OtlpReceiver } from '../../src/receivers/otlp/receiver.js';
import type { Collector } from '../../src/service/collector.js';
import { everyFieldTraces } from '../../src/testing/otlp-fixtures.js';
import { FakeOpik } from '../fake-opik/server.js';
import { componentOf, sinks, startYaml } from './support/pipeline.js';

let fake: FakeOpik;
const running: Collector[] = [];

beforeEach(async () => {
  fake = await new FakeOpik().start();
});

afterEach(async () => {
  for (const c of running.splice(0).reverse()) await c.shutdown();
  await fake.stop();
});

async function start(yaml: string): Promise<Collector> {
  const c = await startYaml(yaml);
  running.push(c);
  return c;
}

const FAST_RETRY = `
    retry_on_failure:
      initial_interval: 10ms
      max_interval: 50ms
      max_elapsed_time: 0s`;

/** The gateway: OTLP in, to Opik through a persistent queue, and to a sink the test reads. */
const gatewayConfig = (dir: string) => `
extensions:
  file_storage:
    directory: ${dir}
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:0 }
      http: { endpoint: 127.0.0.1:0 }
exporters:
  opik:
    endpoint: ${fake.url}/api
    detect_id_overrides: false
    timeout: 2s${FAST_RETRY}
    sending_queue:
      enabled: true
      storage: file_storage
      num_consumers: 2
  sink:
service:
  extensions: [file_storage]
  telemetry: { metrics: { level: none } }
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [opik, sink]
`;

/** The sidecar: OTLP/HTTP in, forwarded to the gateway by `exporter`. */
const sidecarConfig = (exporter: string) => `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
exporters:
${exporter}
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [${exporter.trim().split(':')[0]}]
`;

const addresses = (c: Collector) => componentOf<OtlpReceiver>(c, 'receiver', 'otlp').addresses;

/** What the test sends: every OTLP field once, and ordinary spans of several traces. */
function workload(): Traces[] {
  const batches = [everyFieldTraces()];
  for (let b = 0; b < 20; b++) {
    const traceId = (b + 1).toString(16).padStart(32, '7');
    const start = BigInt(Date.now()) * 1_000_000n;
    batches.push(
      makeTraces(
        Array.from({ length: 10 }, (_, i) =>
          makeSpan({
            traceId,
            spanId: (b * 100 + i + 1).toString(16).padStart(16, '0'),
            parentSpanId: i === 0 ? '' : (b * 100 + 1).toString(16).padStart(16, '0'),
            name: `op-${b}-${i}`,
            startTimeUnixNano: start,
            endTimeUnixNano: start + 5_000_000n,
          }),
        ),
      ),
    );
  }
  return batches;
}

/** Each span with its resource and scope, in a stable order: what "arrived unchanged" compares. */
function flatten(batches: readonly Traces[]) {
  return batches
    .flatMap((t) =>
      t.resourceSpans.flatMap((rs) =>
        rs.scopeSpans.flatMap((ss) =>
          ss.spans.map((span) => ({
            resource: rs.resource,
            resourceSchemaUrl: rs.schemaUrl,
            scope: ss.scope,
            scopeSchemaUrl: ss.schemaUrl,
            span,
          })),
        ),
      ),
    )
    .sort((a, b) =>
      `${a.span.traceId}${a.span.spanId}${a.span.name}`.localeCompare(
        `${b.span.traceId}${b.span.spanId}${b.span.name}`,
      ),
    );
}

async function eventually(cond: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  expect(cond()).toBe(true);
}

describe.each([
  [
    'otlp (gRPC)',
    (a: { grpc?: string }) =>
      `  otlp:\n    endpoint: ${a.grpc}\n    tls: { insecure: true }${FAST_RETRY}`,
  ],
  [
    'otlphttp',
    (a: { http?: string }) => `  otlphttp:\n    endpoint: http://${a.http}${FAST_RETRY}`,
  ],
])('sidecar → gateway through %s', (_name, exporterYaml) => {
  it('every span arrives unchanged while Opik is down, survives a gateway restart, and reaches Opik', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-'));
    fake.down = true;
    const gateway = await start(gatewayConfig(dir));
    const sidecar = await start(sidecarConfig(exporterYaml(addresses(gateway))));

    const sent = workload();
    for (const t of sent) {
      const res = await fetch(`http://${addresses(sidecar).http}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: encodeTracesRequest(t),
      });
      expect(res.status).toBe(200);
    }
    const arrived = () => sinks.get('sink')!.batches;
    const total = flatten(sent).length;
    await eventually(() => flatten(arrived()).length >= total);
    expect(flatten(arrived())).toEqual(flatten(sent));
    expect(fake.spans()).toHaveLength(0);

    // The gateway acknowledged everything into its persistent queue: a restart loses nothing.
    await gateway.shutdown();
    fake.down = false;
    await start(gatewayConfig(dir));
    const names = flatten(sent).map((s) => s.span.name);
    await eventually(() => fake.spans().length >= names.length);
    expect(
      fake
        .spans()
        .map((r) => String(r.name))
        .sort(),
    ).toEqual([...names].sort());
  });

  it('waits as long as a refusing gateway asks (Retry-After / RetryInfo), then delivers', async () => {
    const gateway = await start(`
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:0 }
      http: { endpoint: 127.0.0.1:0 }
exporters:
  sink:
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp], exporters: [sink] }
`);
    const sink = sinks.get('sink')!;
    sink.fail = new RetryableError('ERR_PIPELINE_REFUSED', 'busy', { retryAfterMs: 1000 });
    const sidecar = await start(sidecarConfig(exporterYaml(addresses(gateway))));
    const sentAt = Date.now();
    const res = await fetch(`http://${addresses(sidecar).http}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: encodeTracesRequest(workload()[1]!),
    });
    expect(res.status).toBe(200);
    // The backoff alone (10–50 ms) would retry long before the gateway's second.
    await new Promise((r) => setTimeout(r, 300));
    sink.fail = undefined;
    await eventually(() => sink.batches.length === 1);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1000);
  });
});
