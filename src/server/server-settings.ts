import type { Logger } from 'pino';
import { z } from 'zod';
import { authSettingsSchema } from '../component/auth.js';
import { duration, int } from '../config/schema.js';
import { tlsServerSchema } from '../config/tls.js';
import type { ListenOptions } from './listen.js';

/**
 * Settings every listening receiver shares, with the Collector's `confighttp`/`configgrpc` names:
 * `tls` (server certificate, `client_ca_file` for mTLS), `auth` (an authenticator extension),
 * timeouts, and a cap on concurrent connections (ours: the Collector has none).
 */
export const DEFAULT_READ_HEADER_TIMEOUT_MS = 60_000;
/** The Collector's `read_timeout` is 0 (none), which lets a trickled body hold a socket forever. */
export const DEFAULT_READ_TIMEOUT_MS = 60_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_CONNECTIONS = 512;

const listener = {
  tls: tlsServerSchema.optional(),
  /** Time allowed for a whole request, body included (HTTP), or for a call's message (gRPC). */
  read_timeout: duration()
    .refine((ms) => ms > 0, { error: 'must be greater than 0' })
    .default(DEFAULT_READ_TIMEOUT_MS),
  max_connections: int({ min: 1 }).default(DEFAULT_MAX_CONNECTIONS),
};

/**
 * An HTTP listener's settings without `auth`: for endpoints that check credentials their own way
 * (the `opik` receiver: Opik's `Authorization` form) or serve loopback by default (`status`).
 */
export const httpListenerSettings = {
  ...listener,
  read_header_timeout: duration()
    .refine((ms) => ms > 0, { error: 'must be greater than 0' })
    .default(DEFAULT_READ_HEADER_TIMEOUT_MS),
  idle_timeout: duration().default(DEFAULT_IDLE_TIMEOUT_MS),
};

const auth = { auth: authSettingsSchema.optional() };

export const httpServerSettings = { ...httpListenerSettings, ...auth };

export const grpcServerSettings = { ...listener, ...auth };

const listenerObject = z.strictObject(httpListenerSettings);
const httpObject = z.strictObject(httpServerSettings);
const grpcObject = z.strictObject(grpcServerSettings);
export type HttpListenerSettings = z.infer<typeof listenerObject>;
export type HttpServerSettings = z.infer<typeof httpObject>;
export type GrpcServerSettings = z.infer<typeof grpcObject>;

/** What `listenHttp` needs from a receiver's HTTP settings. */
export function listenOptions(s: HttpListenerSettings, logger: Logger): ListenOptions {
  return {
    tls: s.tls,
    readHeaderTimeoutMs: s.read_header_timeout,
    readTimeoutMs: s.read_timeout,
    idleTimeoutMs: s.idle_timeout,
    maxConnections: s.max_connections,
    logger,
  };
}

/** `auth::authenticator` of a settings block, as a reference `resolve` checks. */
export function authExtensionRefs(
  prefix: string,
  settings: { readonly auth?: { readonly authenticator: string } } | undefined,
): Array<{ key: string; id: string }> {
  return settings?.auth
    ? [{ key: `${prefix}auth::authenticator`, id: settings.auth.authenticator }]
    : [];
}
