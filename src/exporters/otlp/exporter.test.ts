import { readFileSync } from 'node:fs';
import { type handleUnaryCall, Server, ServerCredentials } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { deepMerge } from '../../config/merge.js';
import { PermanentError, RetryableError } from '../../errors/errors.js';
import { decodeTracesRequest, encodeTracesResponse } from '../../otlp/proto-codec.js';
import { rawTraceService } from '../../otlp/trace-service.js';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import type { Traces } from '../../pdata/traces.js';
import { selfSignedCertificate } from '../../testing/certs.js';
import { GrpcPeer, type PeerReply } from '../../testing/grpc-peer.js';
import { everyFieldTraces } from '../../testing/otlp-fixtures.js';
import { capturingLogger } from '../../testing/senders.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { hostWithFileStorage, metricValue } from '../../testing/storage-host.js';
import { createDefaultConfig, otlpGrpcConfigSchema } from './config.js';
import { createOtlpGrpcExporter } from './exporter.js';

const FAST_RETRY = {
  initial_interval: '1ms',
  max_interval: '5ms',
  max_elapsed_time: '5s',
  randomization_factor: 0,
};

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function peer(reply: (n: number) => PeerReply = () => ({ ok: true })) {
  const p = await new GrpcPeer((_call, n) => reply(n)).start();
  stops.push(() => p.stop());
  return p;
}

/** A started `otlp` exporter; no queue unless asked, so `consume` reports the delivery's outcome. */
async function exporter(overrides: Record<string, unknown>, host = new TestHost()) {
  const config = otlpGrpcConfigSchema.parse(
    deepMerge(createDefaultConfig(), {
      tls: { insecure: true },
      retry_on_failure: FAST_RETRY,
      sending_queue: { enabled: false },
      ...overrides,
    }),
  );
  const { logger, lines } = capturingLogger();
  const settings = { ...testSettings('exporter', 'otlp'), logger };
  const e = createOtlpGrpcExporter(settings, config);
  await e.start(host);
  stops.push(() => e.shutdown());
  return { e, settings, lines };
}

const batch = (name: string, n = 1): Traces =>
  makeTraces(
    Array.from({ length: n }, (_, i) =>
      makeSpan({ traceId: 'a'.repeat(32), spanId: `${i + 1}`.padStart(16, '0'), name }),
    ),
  );

describe('otlp exporter (gRPC) on the wire', () => {
  it('sends every field unchanged, gzip-compressed, with the headers as metadata', async () => {
    const p = await peer();
    const { e, settings } = await exporter({
      endpoint: p.address,
      headers: { 'X-Tenant': 'team-a', authorization: 'Bearer t0k' },
    });
    await e.consume(everyFieldTraces());
    const call = p.calls[0]!;
    expect(call.traces).toEqual(everyFieldTraces());
    expect(call.headers[':path']).toBe(
      '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    );
    expect(call.headers['content-type']).toBe('application/grpc');
    expect(call.headers['grpc-encoding']).toBe('gzip');
    expect(call.compressedFlag).toBe(1);
    expect(call.headers['x-tenant']).toBe('team-a');
    expect(call.headers.authorization).toBe('Bearer t0k');
    expect(call.headers['user-agent']).toMatch(/^dify-opik-collector\/\d+\.\d+\.\d+ \(linux\//);
    // The attempt's deadline travels with the call (default timeout 5s).
    expect(Number.parseInt(String(call.headers['grpc-timeout']), 10)).toBeGreaterThan(0);
    expect(await metricValue(settings, 'otelcol_exporter_sent_spans_total')).toBe(
      everyFieldTraces().resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).length,
    );
  });

  it('sends plain frames with compression: none', async () => {
    const p = await peer();
    const { e } = await exporter({ endpoint: `http://${p.address}`, compression: 'none' });
    await e.consume(batch('plain'));
    expect(p.calls[0]!.compressedFlag).toBe(0);
    expect(p.calls[0]!.headers['grpc-encoding']).toBeUndefined();
  });

  it('retries UNAVAILABLE, waiting at least the RetryInfo delay the server asked for', async () => {
    const p = await peer((n) =>
      n === 1 ? { ok: false, code: 14, details: 'overloaded', retryDelayMs: 300 } : { ok: true },
    );
    const { e } = await exporter({ endpoint: p.address });
    await e.consume(batch('later'));
    expect(p.calls).toHaveLength(2);
    expect(p.calls[1]!.at - p.calls[0]!.at).toBeGreaterThanOrEqual(300);
  });

  it('retries RESOURCE_EXHAUSTED only when the server sent a RetryInfo', async () => {
    const withInfo = await peer((n) =>
      n === 1 ? { ok: false, code: 8, details: 'slow down', retryDelayMs: 10 } : { ok: true },
    );
    await (await exporter({ endpoint: withInfo.address })).e.consume(batch('x'));
    expect(withInfo.calls).toHaveLength(2);

    const without = await peer(() => ({ ok: false, code: 8, details: 'too big' }));
    const err = await (await exporter({ endpoint: without.address })).e
      .consume(batch('x'))
      .catch((x: unknown) => x);
    expect(err).toBeInstanceOf(PermanentError);
    expect(without.calls).toHaveLength(1);
  });

  it('gives up at once on a permanent code, naming it', async () => {
    const p = await peer(() => ({ ok: false, code: 3, details: 'bad span' }));
    const { e, settings } = await exporter({ endpoint: p.address });
    const err = await e.consume(batch('bad', 2)).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(/INVALID_ARGUMENT: bad span/);
    expect(p.calls).toHaveLength(1);
    expect(await metricValue(settings, 'otelcol_exporter_send_failed_spans_total')).toBe(2);
  });

  it('counts the spans of a partial success as failed and logs the server’s message', async () => {
    const p = await peer(() => ({
      ok: true,
      message: encodeTracesResponse({ rejectedSpans: 1, errorMessage: 'span 2 too old' }),
    }));
    const { e, settings, lines } = await exporter({ endpoint: p.address });
    await e.consume(batch('partial', 3));
    expect(p.calls).toHaveLength(1);
    expect(await metricValue(settings, 'otelcol_exporter_sent_spans_total')).toBe(2);
    expect(await metricValue(settings, 'otelcol_exporter_send_failed_spans_total')).toBe(1);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 40, rejected_spans: 1, message: 'span 2 too old' }),
    );
  });

  it('bounds each attempt by timeout: a server that never answers is a retryable timeout', async () => {
    const p = await peer(() => ({ ok: 'hang' }));
    const { e } = await exporter({
      endpoint: p.address,
      timeout: '150ms',
      retry_on_failure: { enabled: false },
    });
    const err = await e.consume(batch('slow')).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).code).toBe('ERR_EXPORT_TIMEOUT');
  });
});

/** A grpc-js OTLP server with TLS: what a TLS-terminating gateway is to the exporter. */
async function tlsServer(cert: { cert: string; key: string }) {
  const received: Traces[] = [];
  const handler: handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    received.push(decodeTracesRequest(call.request));
    callback(null, Buffer.from(encodeTracesResponse()));
  };
  const server = new Server();
  server.addService(rawTraceService, { Export: handler });
  const creds = ServerCredentials.createSsl(null, [
    { cert_chain: readFileSync(cert.cert), private_key: readFileSync(cert.key) },
  ]);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  stops.push(() => new Promise((r) => server.tryShutdown(() => r())));
  return { received, endpoint: `localhost:${port}` };
}

describe('otlp exporter (gRPC) with TLS', () => {
  const cert = selfSignedCertificate('localhost');
  const noRetry = { retry_on_failure: { enabled: false } };

  it('verifies the server with ca_file and delivers; TLS is on by default', async () => {
    const s = await tlsServer(cert);
    const { e } = await exporter({ endpoint: s.endpoint, tls: { ca_file: cert.cert }, ...noRetry });
    await e.consume(batch('secure'));
    expect(s.received.map((t) => t.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name)).toEqual([
      'secure',
    ]);
  });

  it('refuses a server it cannot verify (retryable: no answer), unless told to skip verification', async () => {
    const s = await tlsServer(cert);
    const untrusted = await exporter({ endpoint: s.endpoint, tls: {}, ...noRetry });
    const err = await untrusted.e.consume(batch('x')).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(RetryableError);
    expect(s.received).toHaveLength(0);

    const skip = await exporter({
      endpoint: s.endpoint,
      tls: { insecure_skip_verify: true },
      ...noRetry,
    });
    await skip.e.consume(batch('unverified'));
    expect(s.received).toHaveLength(1);
  });

  it('does not talk plain text to a TLS server when insecure: true', async () => {
    const s = await tlsServer(cert);
    const { e } = await exporter({ endpoint: s.endpoint, tls: { insecure: true }, ...noRetry });
    await expect(e.consume(batch('x'))).rejects.toBeInstanceOf(RetryableError);
    expect(s.received).toHaveLength(0);
  });
});

describe('otlp exporter (gRPC) sending queue', () => {
  it('keeps a persistent queue across a restart and delivers it when the server is up', async () => {
    const down = await peer();
    const unreachable = down.address;
    await down.stop();
    const { host, directory, storage } = await hostWithFileStorage();
    const first = await exporter(
      {
        endpoint: unreachable,
        sending_queue: { enabled: true, storage: 'file_storage', num_consumers: 1 },
        retry_on_failure: { ...FAST_RETRY, max_elapsed_time: '0s' },
      },
      host,
    );
    await first.e.consume(batch('kept', 3));
    await first.e.shutdown();
    await storage.shutdown();

    const up = await peer();
    const again = await hostWithFileStorage(directory);
    stops.push(() => again.storage.shutdown());
    await exporter(
      { endpoint: up.address, sending_queue: { enabled: true, storage: 'file_storage' } },
      again.host,
    );
    await expect.poll(() => up.calls.length).toBe(1);
    expect(up.calls[0]!.traces).toEqual(batch('kept', 3));
  });
});
