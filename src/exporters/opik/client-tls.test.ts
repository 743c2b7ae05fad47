import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlsClientSchema } from '../../config/tls.js';
import { createTestPki, type TestPki } from '../../testing/certs.js';
import { OpikHttp } from './client.js';

describe('OpikHttp over TLS (tls.ca_file, insecure_skip_verify, server_name_override)', () => {
  let pki: TestPki;
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    pki = createTestPki();
    server = createServer(
      { cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) },
      (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    pki.remove();
  });

  const get = async (tls?: Record<string, unknown>, host = '127.0.0.1') => {
    const http = new OpikHttp({
      endpoint: `https://${host}:${port}/api`,
      apiKey: '',
      workspace: '',
      projectName: 'p',
      compression: 'none',
      compressionLevel: 1,
      maxBodyBytes: 0,
      ...(tls ? { tls: tlsClientSchema.parse(tls) } : {}),
    });
    try {
      return (await http.get('/is-alive/ping', AbortSignal.timeout(5000))).status;
    } finally {
      await http.close();
    }
  };

  it('trusts the server through ca_file, checking the name it is given', async () => {
    expect(await get({ ca_file: pki.caCert })).toBe(200);
    expect(await get({ ca_file: pki.caCert, server_name_override: 'localhost' }, '127.0.0.1')).toBe(
      200,
    );
    await expect(
      get({ ca_file: pki.caCert, server_name_override: 'opik.example' }),
    ).rejects.toThrow();
  });

  it('refuses an unknown server unless insecure_skip_verify', async () => {
    await expect(get()).rejects.toThrow();
    expect(await get({ insecure_skip_verify: true })).toBe(200);
  });
});
