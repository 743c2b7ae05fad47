/**
 * Authentication and TLS with real clients: the OpenTelemetry JS SDK's OTLP exporters (HTTP
 * protobuf and gRPC) send to `otlp` receivers that require a bearer token over TLS, or a client
 * certificate (mTLS), and are turned away with wrong credentials. Certificates are made for the
 * test with the `openssl` CLI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OtlpReceiver } from '../../src/receivers/otlp/receiver.js';
import type { Collector } from '../../src/service/collector.js';
import { createTestPki, type TestPki } from '../../src/testing/certs.js';
import { recordAgentRun, sdkTracer } from '../support/sdk-spans.js';
import { componentOf, startYaml } from './support/pipeline.js';

const TOKEN = 'interop-token-9f2c41';
let pki: TestPki;
let collector: Collector;
let token: OtlpReceiver['addresses'];
let mtls: OtlpReceiver['addresses'];
let out: string;

beforeAll(async () => {
  pki = createTestPki();
  out = join(pki.dir, 'spans.jsonl');
  const serverTls = `{ cert_file: ${pki.serverCert}, key_file: ${pki.serverKey} }`;
  const clientCa = `{ cert_file: ${pki.serverCert}, key_file: ${pki.serverKey}, client_ca_file: ${pki.caCert} }`;
  collector = await startYaml(`
extensions:
  bearertokenauth:
    token: ${TOKEN}
receivers:
  otlp/token:
    protocols:
      http: { endpoint: 127.0.0.1:0, tls: ${serverTls}, auth: { authenticator: bearertokenauth } }
      grpc: { endpoint: 127.0.0.1:0, tls: ${serverTls}, auth: { authenticator: bearertokenauth } }
  otlp/mtls:
    protocols:
      http: { endpoint: 127.0.0.1:0, tls: ${clientCa} }
      grpc: { endpoint: 127.0.0.1:0, tls: ${clientCa} }
exporters:
  file: { path: ${out}, flush_interval: 0s }
service:
  extensions: [bearertokenauth]
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp/token, otlp/mtls], exporters: [file] }
`);
  token = componentOf<OtlpReceiver>(collector, 'receiver', 'otlp/token').addresses;
  mtls = componentOf<OtlpReceiver>(collector, 'receiver', 'otlp/mtls').addresses;
});

afterAll(async () => {
  await collector.shutdown();
  pki.remove();
});

function spans(): ReadableSpan[] {
  const { tracer, exporter } = sdkTracer();
  recordAgentRun(tracer, Date.now());
  return (exporter as unknown as { getFinishedSpans(): ReadableSpan[] }).getFinishedSpans();
}

/** Exports with the SDK exporter; resolves with the error it reports, or null on success. */
async function send(
  exporter: SpanExporter,
): Promise<(Error & { code?: number; data?: string }) | null> {
  const batch = spans();
  const result = await new Promise<{ code: ExportResultCode; error?: Error }>((resolve) =>
    exporter.export(batch, resolve),
  );
  await exporter.shutdown();
  return result.code === ExportResultCode.SUCCESS ? null : (result.error ?? new Error('failed'));
}

const read = (f: string) => readFileSync(f);

const httpExporter = (
  address: string,
  agent: Record<string, unknown>,
  headers: Record<string, string> = {},
) =>
  new ProtoExporter({
    url: `https://${address}/v1/traces`,
    headers,
    httpAgentOptions: agent,
    timeoutMillis: 3000,
  });

const grpcExporter = (
  address: string,
  creds: ReturnType<typeof credentials.createSsl>,
  authorization?: string,
) => {
  const metadata = new Metadata();
  if (authorization) metadata.set('authorization', authorization);
  return new GrpcExporter({
    url: `https://${address}`,
    credentials: creds,
    metadata,
    timeoutMillis: 3000,
  });
};

describe('bearer token over TLS', () => {
  it('delivers with the right token over HTTPS and over gRPC with TLS', async () => {
    const before = delivered();
    expect(
      await send(
        httpExporter(token.http!, { ca: read(pki.caCert) }, { Authorization: `Bearer ${TOKEN}` }),
      ),
    ).toBeNull();
    expect(
      await send(
        grpcExporter(token.grpc!, credentials.createSsl(read(pki.caCert)), `Bearer ${TOKEN}`),
      ),
    ).toBeNull();
    expect(delivered()).toBe(before + 2);
  });

  it('answers a wrong or missing token with 401 / UNAUTHENTICATED, never repeating it', async () => {
    const before = delivered();
    const wrong = await send(
      httpExporter(
        token.http!,
        { ca: read(pki.caCert) },
        { Authorization: 'Bearer guessed-token-123' },
      ),
    );
    expect(wrong?.code).toBe(401);
    expect(String(wrong?.data)).toMatch(/the bearer token is not valid/);
    expect(String(wrong?.data)).not.toContain('guessed-token-123');
    const missing = await send(httpExporter(token.http!, { ca: read(pki.caCert) }));
    expect(missing?.code).toBe(401);
    expect(String(missing?.data)).toMatch(/missing or empty Authorization header/);
    const grpcWrong = await send(
      grpcExporter(
        token.grpc!,
        credentials.createSsl(read(pki.caCert)),
        'Bearer guessed-token-123',
      ),
    );
    expect(grpcWrong?.code).toBe(16);
    expect(grpcWrong?.message).not.toContain('guessed-token-123');
    const grpcMissing = await send(
      grpcExporter(token.grpc!, credentials.createSsl(read(pki.caCert))),
    );
    expect(grpcMissing?.code).toBe(16);
    expect(delivered()).toBe(before);
  });

  it('is not reachable in plain text, nor by a client that does not trust its certificate', async () => {
    const plain = new ProtoExporter({ url: `http://${token.http}/v1/traces`, timeoutMillis: 2000 });
    expect(await send(plain)).not.toBeNull();
    const untrusting = await send(
      httpExporter(token.http!, {}, { Authorization: `Bearer ${TOKEN}` }),
    );
    expect(untrusting?.message).toMatch(/self.signed|unable to verify|certificate/i);
  });
});

describe('mutual TLS (client_ca_file)', () => {
  it('delivers with a client certificate the CA signed, over HTTPS and gRPC', async () => {
    const before = delivered();
    const agent = { ca: read(pki.caCert), cert: read(pki.clientCert), key: read(pki.clientKey) };
    expect(await send(httpExporter(mtls.http!, agent))).toBeNull();
    expect(
      await send(
        grpcExporter(
          mtls.grpc!,
          credentials.createSsl(read(pki.caCert), read(pki.clientKey), read(pki.clientCert)),
        ),
      ),
    ).toBeNull();
    expect(delivered()).toBe(before + 2);
  });

  it('turns away a client without a certificate, or with one from another CA', async () => {
    const before = delivered();
    expect(await send(httpExporter(mtls.http!, { ca: read(pki.caCert) }))).not.toBeNull();
    expect(
      await send(
        httpExporter(mtls.http!, {
          ca: read(pki.caCert),
          cert: read(pki.otherClientCert),
          key: read(pki.otherClientKey),
        }),
      ),
    ).not.toBeNull();
    expect(
      await send(grpcExporter(mtls.grpc!, credentials.createSsl(read(pki.caCert)))),
    ).not.toBeNull();
    expect(
      await send(
        grpcExporter(
          mtls.grpc!,
          credentials.createSsl(
            read(pki.caCert),
            read(pki.otherClientKey),
            read(pki.otherClientCert),
          ),
        ),
      ),
    ).not.toBeNull();
    expect(delivered()).toBe(before);
  });
});

/** Lines in the output file so far (0 before the first write). */
function delivered(): number {
  try {
    return readFileSync(out, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}
