import { renameSync } from 'node:fs';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlsServerSchema } from '../config/tls.js';
import { createTestPki, type TestPki } from '../testing/certs.js';
import { listenHttp } from './listen.js';

let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
});
afterAll(() => pki.remove());

/** The SHA-256 fingerprint of the certificate the server presents. */
function served(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('listenHttp with tls', () => {
  it('serves a renewed certificate after reload_interval, without a restart', async () => {
    const tls = tlsServerSchema.parse({
      cert_file: pki.serverCert,
      key_file: pki.serverKey,
      reload_interval: '100ms',
    });
    const listener = await listenHttp('127.0.0.1:0', (_req, res) => res.end('ok'), { tls });
    try {
      const first = await served(listener.port);
      pki.renewServer();
      await expect
        .poll(() => served(listener.port), { timeout: 3000, interval: 100 })
        .not.toBe(first);
    } finally {
      await listener.close();
    }
  });

  it('keeps the previous certificate while the files cannot be read; names the file at start', async () => {
    const tls = tlsServerSchema.parse({
      cert_file: pki.serverCert,
      key_file: pki.serverKey,
      reload_interval: '50ms',
    });
    const listener = await listenHttp('127.0.0.1:0', (_req, res) => res.end('ok'), { tls });
    try {
      const first = await served(listener.port);
      renameSync(pki.serverKey, `${pki.serverKey}.away`);
      await new Promise((r) => setTimeout(r, 200));
      expect(await served(listener.port)).toBe(first);
      await expect(listenHttp('127.0.0.1:0', () => {}, { tls })).rejects.toThrow(
        /cannot read the TLS key_file .*server\.key/,
      );
    } finally {
      renameSync(`${pki.serverKey}.away`, pki.serverKey);
      await listener.close();
    }
  });

  it('refuses TLS versions under min_version', async () => {
    const tls = tlsServerSchema.parse({
      cert_file: pki.serverCert,
      key_file: pki.serverKey,
      min_version: '1.3',
    });
    const listener = await listenHttp('127.0.0.1:0', (_req, res) => res.end('ok'), { tls });
    try {
      const handshake = (maxVersion: 'TLSv1.2' | 'TLSv1.3') =>
        new Promise<string>((resolve) => {
          const s = connect(
            { host: '127.0.0.1', port: listener.port, rejectUnauthorized: false, maxVersion },
            () => {
              resolve(String(s.getProtocol()));
              s.end();
            },
          );
          s.on('error', (e) => resolve(`error: ${e.message}`));
        });
      expect(await handshake('TLSv1.3')).toBe('TLSv1.3');
      expect(await handshake('TLSv1.2')).toMatch(/^error/);
    } finally {
      await listener.close();
    }
  });
});
