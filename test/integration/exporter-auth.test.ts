/**
 * The `otlp` and `otlphttp` exporters with `auth: { authenticator: bearertokenauth }`, as in the
 * Collector, sending into a real `otlp` receiver that requires the token (another collector): the
 * right token delivers; a wrong one is refused (UNAUTHENTICATED / 401), which is permanent, so the
 * batch is dropped and counted as the Collector does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeSpan, makeTraces } from '../../src/pdata/span.js';
import type { OtlpReceiver } from '../../src/receivers/otlp/receiver.js';
import type { Collector } from '../../src/service/collector.js';
import { startCollector } from '../../src/service/collector.js';
import { capturingLogger } from '../../src/testing/senders.js';
import { componentOf, heads, resolveYaml, sinks } from './support/pipeline.js';

const running: Collector[] = [];
afterEach(async () => {
  for (const c of running.splice(0).reverse()) await c.shutdown();
});

/** The receiving side: an `otlp` receiver that takes only `Bearer s3cret`. */
async function gateway(): Promise<OtlpReceiver> {
  const c = await startCollector(
    resolveYaml(`
extensions:
  bearertokenauth: { token: s3cret }
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:0, auth: { authenticator: bearertokenauth } }
      http: { endpoint: 127.0.0.1:0, auth: { authenticator: bearertokenauth } }
exporters:
  sink:
service:
  extensions: [bearertokenauth]
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp], exporters: [sink] }
`),
    capturingLogger().logger,
  );
  running.push(c);
  return componentOf<OtlpReceiver>(c, 'receiver', 'otlp');
}

/** The sending side: a `capture` head, the exporter with the token `token`, no queue. */
async function sidecar(exporter: string, token: string) {
  const { logger, lines } = capturingLogger();
  const c = await startCollector(
    resolveYaml(`
extensions:
  bearertokenauth: { token: ${token} }
receivers:
  capture:
exporters:
  ${exporter}
    auth: { authenticator: bearertokenauth }
    retry_on_failure: { enabled: false }
    sending_queue: { enabled: false }
service:
  extensions: [bearertokenauth]
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [capture], exporters: [${exporter.split(':')[0]}] }
`),
    logger,
  );
  running.push(c);
  return { lines };
}

const batch = () =>
  makeTraces([makeSpan({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 'with a token' })]);

describe.each([
  [
    'otlp (gRPC)',
    (r: OtlpReceiver) => `otlp:\n    endpoint: ${r.addresses.grpc}\n    tls: { insecure: true }`,
    /UNAUTHENTICATED: the bearer token is not valid$/,
  ],
  [
    'otlphttp',
    (r: OtlpReceiver) => `otlphttp:\n    endpoint: http://${r.addresses.http}`,
    /HTTP 401: .*the bearer token is not valid$/,
  ],
])('%s exporter with bearertokenauth', (_name, exporter, refusal) => {
  it('delivers with the token the receiver requires', async () => {
    const r = await gateway();
    const { lines } = await sidecar(exporter(r), 's3cret');
    await heads.get('capture')!.consume(batch());
    expect(
      sinks
        .get('sink')!
        .batches.flatMap((b) => b.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.name)),
    ).toEqual(['with a token']);
    // Plain text: said once at start; the token itself never appears in a log line.
    expect(lines.some((l) => /credentials are sent without TLS/.test(String(l.msg)))).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });

  it('is refused with a wrong token: permanent, the batch goes back to the sender', async () => {
    const r = await gateway();
    await sidecar(exporter(r), 'wrong');
    await expect(heads.get('capture')!.consume(batch())).rejects.toThrow(refusal);
    expect(sinks.get('sink')!.batches).toEqual([]);
  });
});
