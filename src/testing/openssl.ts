import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertificateFiles {
  readonly cert: string;
  readonly key: string;
}

/**
 * A self-signed P-256 certificate for `name` (also its subjectAltName, with 127.0.0.1), made
 * with the `openssl` CLI in a fresh temp directory; the certificate is its own CA file.
 */
export function selfSignedCertificate(name: string): CertificateFiles {
  const dir = mkdtempSync(join(tmpdir(), 'cert-'));
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=DNS:${name},IP:127.0.0.1`,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
