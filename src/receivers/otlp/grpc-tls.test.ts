import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../testing/certs.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { TracesSink } from '../../testing/sink.js';
import { otlpConfigSchema } from './config.js';
import { createOtlpReceiver } from './receiver.js';

let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
});
afterAll(() => pki.remove());

/** The fingerprint of the certificate an HTTP/2 (gRPC) TLS server presents. */
function served(address: string): Promise<string> {
  const i = address.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const s = connect(
      {
        host: address.slice(0, i),
        port: Number(address.slice(i + 1)),
        rejectUnauthorized: false,
        ALPNProtocols: ['h2'],
      },
      () => {
        resolve(s.getPeerCertificate().fingerprint256);
        s.end();
      },
    );
    s.on('error', reject);
  });
}

describe('otlp receiver over gRPC with tls', () => {
  it('serves a renewed certificate after reload_interval', async () => {
    const r = createOtlpReceiver(
      testSettings('receiver', 'otlp'),
      otlpConfigSchema.parse({
        protocols: {
          grpc: {
            endpoint: '127.0.0.1:0',
            tls: { cert_file: pki.serverCert, key_file: pki.serverKey, reload_interval: '100ms' },
          },
        },
      }),
      new TracesSink(),
    );
    await r.start(new TestHost());
    try {
      const first = await served(r.addresses.grpc!);
      pki.renewServer();
      await expect
        .poll(() => served(r.addresses.grpc!), { timeout: 3000, interval: 100 })
        .not.toBe(first);
    } finally {
      await r.shutdown();
    }
  });
});
