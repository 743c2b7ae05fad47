import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Component, Host, Settings } from '../../component/types.js';
import { scrubSecrets } from '../../config/secret.js';
import { type HttpListener, listenHttp } from '../../server/listen.js';
import { listenOptions } from '../../server/server-settings.js';
import type { StatusConfig } from './config.js';
import { PAGE_HTML } from './page/html.js';
import { PAGE_SCRIPT } from './page/script.js';
import { PAGE_STYLE } from './page/style.js';
import { RateSampler } from './rates.js';
import { buildSnapshot } from './snapshot.js';

/** A started `status` extension; `address` is the bound `host:port`. */
export interface StatusExtension extends Component {
  readonly address: string | undefined;
}

const SAMPLE_INTERVAL_MS = 1000;

/** The page's files, served from the package itself: no build step, nothing from a CDN. */
const FILES: Record<string, { readonly type: string; readonly body: string }> = {
  '/': { type: 'text/html; charset=utf-8', body: PAGE_HTML },
  '/status.css': { type: 'text/css; charset=utf-8', body: PAGE_STYLE },
  '/status.js': { type: 'text/javascript; charset=utf-8', body: PAGE_SCRIPT },
};
export const STATUS_JSON_PATH = '/api/status';

/**
 * `status`: `GET /` is a page that draws the pipelines with each component's health and live
 * rates, each exporter's path, queue, retries, dead letters and last errors, and the traces it
 * delivered lately; it polls `GET /api/status`, which answers the same data as JSON.
 */
export function createStatusExtension(settings: Settings, config: StatusConfig): StatusExtension {
  const rates = new RateSampler(settings.telemetry);
  let listener: HttpListener | undefined;
  let host: Host | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    req.resume(); // a body is never read: drained, within read_timeout
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' })
        .end('method not allowed\n');
      return;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (path === STATUS_JSON_PATH) {
      const snapshot = buildSnapshot(host!.collectorStatus(), rates, new Date());
      // As a log line: an error a component published may quote a URL with its password.
      res
        .writeHead(200, { ...headers, 'content-type': 'application/json' })
        .end(scrubSecrets(JSON.stringify(snapshot)));
      return;
    }
    const file = FILES[path];
    if (!file) {
      res
        .writeHead(404, { 'content-type': 'text/plain' })
        .end(`not found; the page is at /, its data at ${STATUS_JSON_PATH}\n`);
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': file.type }).end(file.body);
  };

  const sample = () =>
    rates.sample().catch((err: unknown) => {
      settings.logger.debug({ err }, 'status: reading the span counters failed');
    });

  return {
    get address() {
      return listener?.address;
    },
    async start(h) {
      host = h;
      listener = await listenHttp(config.endpoint, handle, listenOptions(config, settings.logger));
      await sample();
      timer = setInterval(() => void sample(), SAMPLE_INTERVAL_MS);
      timer.unref();
      const scheme = config.tls ? 'https' : 'http';
      settings.logger.info(
        { address: listener.address, tls: config.tls !== undefined },
        `status page on ${scheme}://${listener.address}/`,
      );
    },
    shutdown() {
      stopping ??= (async () => {
        clearInterval(timer);
        await listener?.close();
      })();
      return stopping;
    },
  };
}
