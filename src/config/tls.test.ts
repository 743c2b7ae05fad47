import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../testing/certs.js';
import { clientTlsOptions, serverTlsOptions, tlsClientSchema, tlsServerSchema } from './tls.js';

const dir = mkdtempSync(join(tmpdir(), 'tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tls settings', () => {
  it('a server needs cert_file and key_file; a client certificate needs both', () => {
    expect(tlsServerSchema.safeParse({ cert_file: 'a' }).success).toBe(false);
    expect(tlsClientSchema.safeParse({ cert_file: 'a' }).success).toBe(false);
    expect(tlsClientSchema.parse({})).toMatchObject({ min_version: '1.2', insecure: false });
    expect(
      tlsServerSchema.safeParse({ cert_file: 'a', key_file: 'b', min_version: '1.4' }).success,
    ).toBe(false);
  });

  it('names the file it cannot read', () => {
    const cfg = tlsServerSchema.parse({ cert_file: join(dir, 'missing.crt'), key_file: 'x' });
    expect(() => serverTlsOptions(cfg)).toThrow(/cannot read the TLS cert_file .*missing\.crt/);
  });

  it('a client trusting the server CA completes a handshake; a client without it is refused', async () => {
    const srv = selfSignedCertificate('localhost');
    const server = createServer(
      serverTlsOptions(tlsServerSchema.parse({ cert_file: srv.cert, key_file: srv.key })),
      (_req, res) => res.end('ok'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const get = (opts: object) =>
      new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/', ...opts }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const trusted = clientTlsOptions(
        tlsClientSchema.parse({ ca_file: srv.cert, server_name_override: 'localhost' }),
      );
      expect(await get(trusted)).toBe('ok');
      await expect(get(clientTlsOptions(tlsClientSchema.parse({})))).rejects.toThrow(
        /self.signed/i,
      );
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
