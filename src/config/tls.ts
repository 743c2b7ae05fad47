import { readFileSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';
import { z } from 'zod';
import { bool, duration, str } from './schema.js';

/**
 * TLS settings with the Collector's names (`configtls`): one block for servers (receivers) and
 * one for clients (exporters). File paths are read when a component starts, so `validate` does not
 * need the files and a start names the file it could not read.
 */

const TLS_VERSIONS = ['1.0', '1.1', '1.2', '1.3'] as const;
const NODE_VERSION = {
  '1.0': 'TLSv1',
  '1.1': 'TLSv1.1',
  '1.2': 'TLSv1.2',
  '1.3': 'TLSv1.3',
} as const;

const version = () => z.enum(TLS_VERSIONS, { error: 'expected one of 1.0, 1.1, 1.2, 1.3' });

const common = {
  ca_file: str().optional(),
  cert_file: str().optional(),
  key_file: str().optional(),
  min_version: version().default('1.2'),
  max_version: version().optional(),
  /** How often the files are read again (0: never), as the Collector's `reload_interval`. */
  reload_interval: duration().default(0),
};

export const tlsServerSchema = z
  .strictObject({ ...common, client_ca_file: str().optional() })
  .refine((t) => t.cert_file !== undefined && t.key_file !== undefined, {
    error: 'a server needs both cert_file and key_file',
  });

export const tlsClientSchema = z
  .strictObject({
    ...common,
    /** Plain text, no TLS at all (only meaningful for gRPC endpoints without a scheme). */
    insecure: bool().default(false),
    insecure_skip_verify: bool().default(false),
    server_name_override: str().optional(),
  })
  .refine((t) => (t.cert_file === undefined) === (t.key_file === undefined), {
    error: 'cert_file and key_file go together (client certificate)',
  });

export type TlsServerConfig = z.infer<typeof tlsServerSchema>;
export type TlsClientConfig = z.infer<typeof tlsClientSchema>;

function read(path: string | undefined, what: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read the TLS ${what} ${path}: ${(err as Error).message}`);
  }
}

function versions(t: { min_version: string; max_version?: string | undefined }) {
  return {
    minVersion: NODE_VERSION[t.min_version as keyof typeof NODE_VERSION],
    ...(t.max_version
      ? { maxVersion: NODE_VERSION[t.max_version as keyof typeof NODE_VERSION] }
      : {}),
  };
}

/** Options for `https.createServer` / `grpc.ServerCredentials`: certificate, key, and mTLS when `client_ca_file` is set. */
export function serverTlsOptions(t: TlsServerConfig): SecureContextOptions & {
  requestCert: boolean;
  rejectUnauthorized: boolean;
} {
  const clientCa = read(t.client_ca_file, 'client_ca_file');
  return {
    cert: read(t.cert_file, 'cert_file'),
    key: read(t.key_file, 'key_file'),
    ...(clientCa ? { ca: clientCa } : {}),
    ...versions(t),
    requestCert: clientCa !== undefined,
    rejectUnauthorized: clientCa !== undefined,
  };
}

/** Options for an HTTPS/gRPC client: trusted CA, client certificate, verification and server name. */
export function clientTlsOptions(t: TlsClientConfig): SecureContextOptions & {
  rejectUnauthorized: boolean;
  servername?: string;
} {
  const ca = read(t.ca_file, 'ca_file');
  return {
    ...(ca ? { ca } : {}),
    cert: read(t.cert_file, 'cert_file'),
    key: read(t.key_file, 'key_file'),
    ...versions(t),
    rejectUnauthorized: !t.insecure_skip_verify,
    ...(t.server_name_override ? { servername: t.server_name_override } : {}),
  };
}

/**
 * Reads the certificate files again every `reload_interval` (when it is above 0) and hands the
 * result to `apply`, so a renewed certificate is served without a restart. A read that fails
 * (a file being replaced) keeps the previous certificates and is logged. Returns a stop function.
 */
export function watchTls<T>(
  t: { readonly reload_interval: number },
  read: () => T,
  apply: (options: T) => void,
  logger?: Logger,
): () => void {
  if (t.reload_interval <= 0) return () => {};
  const timer = setInterval(() => {
    try {
      apply(read());
    } catch (err) {
      logger?.warn(
        { error: (err as Error).message },
        'cannot reload the TLS certificates; keeping the previous ones',
      );
    }
  }, t.reload_interval);
  timer.unref();
  return () => clearInterval(timer);
}
