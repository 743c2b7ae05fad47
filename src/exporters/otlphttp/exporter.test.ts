import { readFileSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttp,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { deepMerge } from '../../config/merge.js';
import { PermanentError, RetryableError } from '../../errors/errors.js';
import { decodeTracesJson, encodeTracesResponseJson } from '../../otlp/json-codec.js';
import { decodeTracesRequest, encodeTracesResponse } from '../../otlp/proto-codec.js';
import { makeSpan, makeTraces } from '../../pdata/span.js';
import type { Traces } from '../../pdata/traces.js';
import { selfSignedCertificate } from '../../testing/certs.js';
import { everyFieldTraces } from '../../testing/otlp-fixtures.js';
import { capturingLogger } from '../../testing/senders.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { hostWithFileStorage, metricValue } from '../../testing/storage-host.js';
import { createDefaultConfig, otlpHttpConfigSchema } from './config.js';
import { createOtlpHttpExporter } from './exporter.js';

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as it came over the wire (compressed when the exporter compresses). */
  readonly raw: Buffer;
  readonly traces: Traces;
  readonly at: number;
}

type Reply =
  | { status: number; headers?: Record<string, string>; body?: string | Uint8Array }
  | 'hang';

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

/** An OTLP/HTTP server that records each request and answers with `reply(n)` (1-based). */
async function peer(
  reply: (n: number) => Reply = () => ({ status: 200 }),
  tls?: { cert: string; key: string; clientCa?: string },
) {
  const received: Received[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const traces =
        req.headers['content-type'] === 'application/json'
          ? decodeTracesJson(body)
          : decodeTracesRequest(body);
      received.push({ path: req.url ?? '', headers: req.headers, raw, traces, at: Date.now() });
      const r = reply(received.length);
      if (r === 'hang') return;
      res.writeHead(r.status, r.headers ?? {});
      res.end(r.body ?? '');
    });
  };
  const server: Server = tls
    ? createHttps(
        {
          cert: readFileSync(tls.cert),
          key: readFileSync(tls.key),
          ...(tls.clientCa
            ? { ca: readFileSync(tls.clientCa), requestCert: true, rejectUnauthorized: true }
            : {}),
        },
        handle,
      )
    : createHttp(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  stops.push(
    () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { received, base: `${tls ? 'https://localhost' : 'http://127.0.0.1'}:${port}` };
}

async function exporter(overrides: Record<string, unknown>, host = new TestHost()) {
  const config = otlpHttpConfigSchema.parse(
    deepMerge(createDefaultConfig(), {
      retry_on_failure: FAST_RETRY,
      sending_queue: { enabled: false },
      ...overrides,
    }),
  );
  const { logger, lines } = capturingLogger();
  const settings = { ...testSettings('exporter', 'otlphttp'), logger };
  const e = createOtlpHttpExporter(settings, config);
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
const everyFieldSpans = everyFieldTraces().resourceSpans.flatMap((r) =>
  r.scopeSpans.flatMap((s) => s.spans),
).length;

describe('otlphttp exporter on the wire', () => {
  it('POSTs protobuf to endpoint + /v1/traces, gzip-compressed, with the headers', async () => {
    const p = await peer();
    const { e, settings } = await exporter({
      endpoint: `${p.base}/otlp/`,
      headers: { 'X-Api-Key': 'k-123', 'X-Scope-OrgID': 'tenant-7' },
    });
    await e.consume(everyFieldTraces());
    const r = p.received[0]!;
    expect(r.path).toBe('/otlp/v1/traces');
    expect(r.headers['content-type']).toBe('application/x-protobuf');
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(r.headers['x-api-key']).toBe('k-123');
    expect(r.headers['x-scope-orgid']).toBe('tenant-7');
    expect(r.headers['user-agent']).toMatch(/^dify-opik-collector\/\d+\.\d+\.\d+ \(linux\//);
    expect(r.traces).toEqual(everyFieldTraces());
    expect(await metricValue(settings, 'otelcol_exporter_sent_spans_total')).toBe(everyFieldSpans);
  });

  it('sends OTLP/JSON uncompressed to traces_endpoint when told to', async () => {
    const p = await peer();
    const { e } = await exporter({
      endpoint: 'http://unused.invalid:4318',
      traces_endpoint: `${p.base}/custom/traces?tenant=a`,
      encoding: 'json',
      compression: 'none',
    });
    await e.consume(everyFieldTraces());
    const r = p.received[0]!;
    expect(r.path).toBe('/custom/traces?tenant=a');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.raw.toString('utf8').startsWith('{"resourceSpans":')).toBe(true);
    expect(r.traces).toEqual(everyFieldTraces());
  });

  it('retries 503 no sooner than its Retry-After, then delivers', async () => {
    const p = await peer((n) =>
      n === 1 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    const { e } = await exporter({ endpoint: p.base });
    await e.consume(batch('later'));
    expect(p.received).toHaveLength(2);
    expect(p.received[1]!.at - p.received[0]!.at).toBeGreaterThanOrEqual(1000);
  });

  it('retries 429, 502 and 504 with the backoff', async () => {
    const statuses = [429, 502, 504];
    const p = await peer((n) => ({ status: statuses[n - 1] ?? 200 }));
    const { e, settings } = await exporter({ endpoint: p.base });
    await e.consume(batch('eventually', 2));
    expect(p.received).toHaveLength(4);
    expect(await metricValue(settings, 'otelcol_exporter_sent_spans_total')).toBe(2);
  });

  it.each([400, 401, 403, 404, 413, 500])(
    'gives up at once on HTTP %i, with the server’s Status message',
    async (status) => {
      const p = await peer(() => ({
        status,
        headers: { 'content-type': 'application/json' },
        body: '{"code":3,"message":"refused for a reason"}',
      }));
      const { e } = await exporter({ endpoint: p.base });
      const err = await e.consume(batch('no')).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(PermanentError);
      expect((err as Error).message).toBe(
        `OTLP/HTTP export to ${p.base}/v1/traces failed: HTTP ${status}: refused for a reason`,
      );
      expect(p.received).toHaveLength(1);
    },
  );

  it('reads a partial success (protobuf and JSON): spans counted as failed, a warning logged', async () => {
    const p = await peer((n) =>
      n === 1
        ? {
            status: 200,
            headers: { 'content-type': 'application/x-protobuf' },
            body: encodeTracesResponse({ rejectedSpans: 2, errorMessage: 'too old' }),
          }
        : {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: encodeTracesResponseJson({ rejectedSpans: 1, errorMessage: 'bad name' }),
          },
    );
    const { e, settings, lines } = await exporter({ endpoint: p.base });
    await e.consume(batch('a', 3));
    await e.consume(batch('b', 3));
    expect(p.received).toHaveLength(2);
    expect(await metricValue(settings, 'otelcol_exporter_sent_spans_total')).toBe(3);
    expect(await metricValue(settings, 'otelcol_exporter_send_failed_spans_total')).toBe(3);
    expect(lines.filter((l) => l.level === 40).map((l) => [l.rejected_spans, l.message])).toEqual([
      [2, 'too old'],
      [1, 'bad name'],
    ]);
  });

  it('never resends data a server took but answered with an unreadable body', async () => {
    const p = await peer(() => ({
      status: 200,
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.from([0x0a, 0xff]),
    }));
    const { e } = await exporter({ endpoint: p.base });
    await expect(e.consume(batch('x'))).rejects.toBeInstanceOf(PermanentError);
    expect(p.received).toHaveLength(1);
  });

  it('bounds each request by timeout (retryable), and a refused connection is retryable', async () => {
    const p = await peer(() => 'hang');
    const slow = await exporter({
      endpoint: p.base,
      timeout: '150ms',
      retry_on_failure: { enabled: false },
    });
    const err = await slow.e.consume(batch('x')).catch((x: unknown) => x);
    expect((err as RetryableError).code).toBe('ERR_EXPORT_TIMEOUT');

    const closed = await exporter({
      endpoint: 'http://127.0.0.1:1',
      retry_on_failure: { enabled: false },
    });
    const refused = await closed.e.consume(batch('x')).catch((x: unknown) => x);
    expect(refused).toBeInstanceOf(RetryableError);
    expect((refused as Error).message).toMatch(/got no answer: .*ECONNREFUSED/);
  });
});

describe('otlphttp exporter with TLS', () => {
  const server = selfSignedCertificate('localhost');
  const client = selfSignedCertificate('sidecar');
  const noRetry = { retry_on_failure: { enabled: false } };

  it('verifies the server with ca_file; refuses one it cannot verify', async () => {
    const p = await peer(undefined, server);
    await (
      await exporter({ endpoint: p.base, tls: { ca_file: server.cert }, ...noRetry })
    ).e.consume(batch('secure'));
    expect(p.received).toHaveLength(1);
    const untrusted = await exporter({ endpoint: p.base, ...noRetry });
    const err = await untrusted.e.consume(batch('x')).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as Error).message).toMatch(/self[- ]signed certificate/);
    expect(p.received).toHaveLength(1);
  });

  it('presents a client certificate to a server that requires one (mTLS)', async () => {
    const p = await peer(undefined, { ...server, clientCa: client.cert });
    const without = await exporter({ endpoint: p.base, tls: { ca_file: server.cert }, ...noRetry });
    await expect(without.e.consume(batch('x'))).rejects.toBeInstanceOf(RetryableError);
    const withCert = await exporter({
      endpoint: p.base,
      tls: { ca_file: server.cert, cert_file: client.cert, key_file: client.key },
      ...noRetry,
    });
    await withCert.e.consume(batch('mutual'));
    expect(p.received).toHaveLength(1);
  });

  it('reads renewed TLS files again after reload_interval', async () => {
    const p = await peer(undefined, server);
    const other = selfSignedCertificate('localhost');
    const caFile = `${other.cert}.ca`;
    writeFileSync(caFile, readFileSync(other.cert));
    const { e } = await exporter({
      endpoint: p.base,
      tls: { ca_file: caFile, reload_interval: '50ms' },
      ...noRetry,
    });
    await expect(e.consume(batch('x'))).rejects.toBeInstanceOf(RetryableError);
    writeFileSync(caFile, readFileSync(server.cert));
    await new Promise((r) => setTimeout(r, 60));
    await e.consume(batch('renewed'));
    expect(p.received).toHaveLength(1);
  });
});

describe('otlphttp exporter sending queue', () => {
  it('answers at once, keeps a persistent queue across a restart, and delivers it later', async () => {
    const { host, directory, storage } = await hostWithFileStorage();
    const first = await exporter(
      {
        endpoint: 'http://127.0.0.1:1',
        sending_queue: { enabled: true, storage: 'file_storage', num_consumers: 1 },
        retry_on_failure: { ...FAST_RETRY, max_elapsed_time: '0s' },
      },
      host,
    );
    await first.e.consume(batch('kept', 3));
    await first.e.shutdown();
    await storage.shutdown();

    const p = await peer();
    const again = await hostWithFileStorage(directory);
    stops.push(() => again.storage.shutdown());
    await exporter(
      { endpoint: p.base, sending_queue: { enabled: true, storage: 'file_storage' } },
      again.host,
    );
    await expect.poll(() => p.received.length).toBe(1);
    expect(p.received[0]!.traces).toEqual(batch('kept', 3));
  });
});
