import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Dispatcher, Pool } from 'undici';
import type { OpikReceiverConfig } from './config.js';
import { opikError, send } from './replies.js';

/** Headers that belong to one hop, or that the relay sets itself. */
const NOT_FORWARDED = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'authorization',
  'comet-workspace',
]);
const NOT_RETURNED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'trailer',
  'upgrade',
]);

export type RelayOutcome = '2xx' | '3xx' | '4xx' | '5xx' | 'unreachable';

/**
 * Forwards a request the receiver does not serve itself (feedback scores, threads, deletes,
 * attachments, reads: the rest of Opik's API) to the configured Opik unchanged, with the
 * configured credentials in place of the caller's, and streams Opik's answer back.
 */
export class OpikRelay {
  /** Made (and undici loaded) at the first request relayed: most collectors never relay one. */
  private pool?: Promise<Pool>;
  private readonly origin: string;
  private readonly basePath: string;

  constructor(private readonly config: OpikReceiverConfig['relay']) {
    const url = new URL(config.endpoint);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
  }

  private connections(): Promise<Pool> {
    this.pool ??= import('undici').then(
      ({ Pool }) => new Pool(this.origin, { connections: 8, keepAliveTimeout: 30_000 }),
    );
    return this.pool;
  }

  /** `apiPath` is the path below Opik's API base (`/v1/private/…`), `query` with its `?`. */
  async forward(
    req: IncomingMessage,
    res: ServerResponse,
    apiPath: string,
    query: string,
  ): Promise<RelayOutcome> {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !NOT_FORWARDED.has(name)) headers[name] = value;
    }
    if (this.config.api_key !== '') headers.authorization = this.config.api_key;
    if (this.config.workspace !== '') headers['comet-workspace'] = this.config.workspace;
    const method = req.method ?? 'GET';
    const hasBody = method !== 'GET' && method !== 'HEAD';
    let answer: Dispatcher.ResponseData;
    try {
      answer = await (await this.connections()).request({
        method: method as 'GET',
        path: `${this.basePath}${apiPath}${query}`,
        headers,
        body: hasBody ? req : undefined,
        headersTimeout: this.config.timeout || undefined,
        bodyTimeout: this.config.timeout || undefined,
      });
    } catch (err) {
      req.resume();
      send(
        res,
        opikError(
          503,
          `Opik is not reachable through the collector at ${this.config.endpoint}: ${(err as Error).message}`,
        ),
      );
      return 'unreachable';
    }
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (typeof value === 'string' || Array.isArray(value)) {
        if (!NOT_RETURNED.has(name)) out[name] = value;
      }
    }
    res.writeHead(answer.statusCode, out);
    await pipeline(answer.body, res);
    return `${Math.floor(answer.statusCode / 100)}xx` as RelayOutcome;
  }

  async close(): Promise<void> {
    await (await this.pool)?.close();
  }
}
