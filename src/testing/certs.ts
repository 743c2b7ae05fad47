import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Files of a test PKI: a CA, a server certificate for `localhost`/127.0.0.1, a client certificate. */
export interface TestPki {
  readonly dir: string;
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A second CA and a client certificate it signed: a client the server must not trust. */
  readonly otherClientCert: string;
  readonly otherClientKey: string;
  /** A fresh server certificate for the same names (to test reloading). */
  renewServer(): void;
  remove(): void;
}

const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

export interface CertificateFiles {
  readonly cert: string;
  readonly key: string;
}

/** A self-signed P-256 certificate named `name` in `dir`, with the given X.509 extensions. */
function selfSigned(dir: string, name: string, extensions: readonly string[]): CertificateFiles {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  openssl(
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
    ...extensions.flatMap((e) => ['-addext', e]),
  );
  return { cert, key };
}

/**
 * A self-signed certificate for `name` (also its subjectAltName, with 127.0.0.1), in a fresh temp
 * directory; the certificate is its own CA file.
 */
export function selfSignedCertificate(name: string): CertificateFiles {
  const dir = mkdtempSync(join(tmpdir(), 'cert-'));
  return selfSigned(dir, name, [`subjectAltName=DNS:${name},IP:127.0.0.1`]);
}

const ca = (dir: string, name: string) =>
  selfSigned(dir, name, ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign']);

function leaf(dir: string, name: string, issuer: CertificateFiles, ext: string): CertificateFiles {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  openssl(
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    `/CN=${name}`,
  );
  openssl(
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    issuer.cert,
    '-CAkey',
    issuer.key,
    '-CAcreateserial',
    '-out',
    cert,
    '-days',
    '1',
    '-extfile',
    extFile,
  );
  return { cert, key };
}

/** Generates a test PKI with the `openssl` CLI in a temporary directory. */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'pki-'));
  const root = ca(dir, 'ca');
  const serverExt = 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n';
  const server = leaf(dir, 'server', root, serverExt);
  const client = leaf(dir, 'client', root, 'extendedKeyUsage=clientAuth\n');
  const other = ca(dir, 'other-ca');
  const otherClient = leaf(dir, 'other-client', other, 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caCert: root.cert,
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
    otherClientCert: otherClient.cert,
    otherClientKey: otherClient.key,
    renewServer: () => void leaf(dir, 'server', root, serverExt),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
