import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { parseEndpoint } from '../config/schema.js';
import { serverTlsOptions, type TlsServerConfig, watchTls } from '../config/tls.js';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_READ_HEADER_TIMEOUT_MS } from './server-settings.js';

export interface HttpListener {
  readonly server: Server;
  /** The bound `host:port` (the real port when the config said 0). */
  readonly address: string;
  readonly port: number;
  /** Stops accepting connections, lets in-flight requests finish, then closes idle sockets. */
  close(): Promise<void>;
}

/** How a listener treats slow and numerous clients, and TLS (all optional). */
export interface ListenOptions {
  /** Serve HTTPS with these settings (read now, and again every `reload_interval`). */
  readonly tls?: TlsServerConfig;
  /** Time allowed for a request's headers (and for the TLS handshake). */
  readonly readHeaderTimeoutMs?: number;
  /** Time allowed for a whole request, body included; a trickled body is cut with 408. */
  readonly readTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open. */
  readonly idleTimeoutMs?: number;
  /** Connections beyond this many are closed as they arrive. */
  readonly maxConnections?: number;
  /** Where a failed TLS reload is reported. */
  readonly logger?: Logger;
}

/** How often Node checks header and request timeouts (its default, 30 s, made them late). */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/** Starts an HTTP(S) server on `host:port` and resolves once it listens (rejects if it cannot bind). */
export async function listenHttp(
  endpoint: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  options: ListenOptions = {},
): Promise<HttpListener> {
  const parsed = parseEndpoint(endpoint);
  if (!parsed) throw new Error(`invalid endpoint ${JSON.stringify(endpoint)}`);
  let closing = false;
  const headerTimeout = options.readHeaderTimeoutMs ?? DEFAULT_READ_HEADER_TIMEOUT_MS;
  const requestTimeout = options.readTimeoutMs ?? 0;
  const serverOptions = {
    keepAliveTimeout: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    // Node refuses a header timeout longer than the request timeout.
    headersTimeout: requestTimeout > 0 ? Math.min(headerTimeout, requestTimeout) : headerTimeout,
    requestTimeout,
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    // A request that was already inside when closing began keeps its connection only until its
    // response is written; otherwise keep-alive would hold `close()` open for a minute.
    res.once('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    if (closing) res.shouldKeepAlive = false;
    handler(req, res);
  };
  const tls = options.tls;
  // `node:https` (and with it tls and crypto's modules, about 1 MiB) only for a TLS endpoint.
  const server: Server = tls
    ? ((await import('node:https')).createServer(
        { ...serverOptions, ...serverTlsOptions(tls), handshakeTimeout: headerTimeout },
        onRequest,
      ) as unknown as Server)
    : createServer(serverOptions, onRequest);
  if (options.maxConnections !== undefined) server.maxConnections = options.maxConnections;
  // A client that fails the TLS handshake (no or wrong client certificate) is its own problem.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`cannot listen on ${endpoint}: the address is already in use`)
          : new Error(`cannot listen on ${endpoint}: ${err.message}`),
      );
    });
    server.listen(parsed.port, parsed.host || undefined, () => resolve());
  });
  const stopReload = tls
    ? watchTls(
        tls,
        () => serverTlsOptions(tls),
        (opts) => (server as unknown as TlsServer).setSecureContext(opts),
        options.logger,
      )
    : () => {};
  const info = server.address() as AddressInfo;
  const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
  return {
    server,
    address: `${host}:${info.port}`,
    port: info.port,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        stopReload();
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
