import type { Registry } from 'prom-client';
import { refuseUnlessGetOf } from '../server/get-only.js';
import { type HttpListener, listenHttp } from '../server/listen.js';

/** Serves the Prometheus text exposition of `registry` at `/metrics`. */
export function serveMetrics(endpoint: string, registry: Registry): Promise<HttpListener> {
  return listenHttp(endpoint, (req, res) => {
    if (refuseUnlessGetOf('/metrics', req, res)) return;
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
}
