import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseEndpoint } from '../config/schema.js';

export interface HttpListener {
  readonly server: Server;
  /** The bound `host:port` (the real port when the config said 0). */
  readonly address: string;
  readonly port: number;
  /** Stops accepting connections, lets in-flight requests finish, then closes idle sockets. */
  close(): Promise<void>;
}

/** Starts an HTTP server on `host:port` and resolves once it listens (rejects if it cannot bind). */
export async function listenHttp(
  endpoint: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<HttpListener> {
  const parsed = parseEndpoint(endpoint);
  if (!parsed) throw new Error(`invalid endpoint ${JSON.stringify(endpoint)}`);
  let closing = false;
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    // A request that was already inside when closing began keeps its connection only until its
    // response is written; otherwise keep-alive would hold `close()` open for a minute.
    res.once('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    if (closing) res.shouldKeepAlive = false;
    handler(req, res);
  });
  // Request and header timeouts as the Collector's confighttp defaults (read_header_timeout 1m).
  server.headersTimeout = 60_000;
  server.requestTimeout = 0;
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
  const info = server.address() as AddressInfo;
  const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
  return {
    server,
    address: `${host}:${info.port}`,
    port: info.port,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
