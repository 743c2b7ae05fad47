import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { clientTlsOptions, type TlsClientConfig } from '../../config/tls.js';
import type { HttpAnswer } from './classify.js';
import type { OpikConfig } from './config.js';
import { PathError } from './path-error.js';

const gzipAsync = promisify(gzip);

export interface OpikHttpOptions {
  /** Opik's API base, e.g. `http://localhost:5173/api`. */
  readonly endpoint: string;
  readonly apiKey: string;
  readonly workspace: string;
  readonly projectName: string;
  readonly compression: 'gzip' | 'none';
  /** zlib level, 1 (fastest) to 9. */
  readonly compressionLevel: number;
  /** Largest body sent, in bytes as sent (compressed); 0 = no limit of our own. */
  readonly maxBodyBytes: number;
  /** For an `https://` endpoint: trusted CA, client certificate, verification, server name. */
  readonly tls?: TlsClientConfig;
}

const require = createRequire(import.meta.url);

/** Opik 2.2's 413 body names its limit (reference/opik.md §1, `RequestSizeLimitFilter`). */
const OPIK_LIMIT_RE = /maximum allowed size of (\d+) bytes/;

/** The client for an `opik` exporter's settings (the exporter, `doctor` and `replay` share it). */
export function opikHttpFor(config: OpikConfig): OpikHttp {
  return new OpikHttp({
    endpoint: config.endpoint,
    apiKey: config.api_key,
    workspace: config.workspace,
    projectName: config.project_name,
    compression: config.compression,
    compressionLevel: config.compression_params.level,
    maxBodyBytes: config.max_request_body_size,
    tls: config.tls,
  });
}

/**
 * Opik's HTTP API over keep-alive connections (Node's own HTTP client, at most 8 at a time,
 * an idle one closed after 30 s or before the server's `Keep-Alive` timeout): the few calls the exporter
 * makes, with Opik's headers. Answers come back unclassified (see `classify.ts`); a transport
 * failure (refused, reset, DNS) is a `RetryableError`. Never logs: the key is a header here.
 *
 * Request size: a body larger than `maxBodyBytes`, or than the limit Opik (or a proxy) showed with
 * a 413, is not sent; it is answered here with a 413, as Opik would, so the caller splits it. The
 * limit a 413 shows is Opik's own number when its body says it, else just under the refused size.
 */
export class OpikHttp {
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;
  private readonly url: URL;
  private readonly basePath: string;
  private readonly common: Record<string, string>;
  private learntLimit = Number.POSITIVE_INFINITY;
  private readonly inFlight = new Set<Promise<HttpAnswer>>();
  private closed = false;

  constructor(private readonly options: OpikHttpOptions) {
    const url = new URL(options.endpoint);
    this.url = url;
    // Node's client rather than undici's: it is part of Node, so the collector does not load
    // (and keep in memory) a second HTTP client for the few calls a second it makes.
    const keepAlive = { keepAlive: true, maxSockets: 8, timeout: 30_000 };
    if (url.protocol === 'https:') {
      // Loaded only for an https endpoint: tls and crypto's modules cost about 1 MiB.
      const https = require('node:https') as typeof Https;
      this.agent = new https.Agent({
        ...keepAlive,
        ...(options.tls ? clientTlsOptions(options.tls) : {}),
      });
      this.request = https.request;
    } else {
      this.agent = new HttpAgent(keepAlive);
      this.request = httpRequest;
    }
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.common = { 'user-agent': 'dify-opik-collector' };
    if (options.apiKey !== '') this.common.authorization = options.apiKey;
    if (options.workspace !== '') this.common['comet-workspace'] = options.workspace;
  }

  /** `POST {endpoint}/v1/private/otel/v1/traces` with an encoded `ExportTraceServiceRequest`. */
  postOtlp(body: Uint8Array, signal: AbortSignal): Promise<HttpAnswer> {
    return this.send('POST', '/v1/private/otel/v1/traces', signal, body, {
      'content-type': 'application/x-protobuf',
      projectname: this.options.projectName,
    });
  }

  /** `POST` JSON text to a REST path such as `/v1/private/spans/batch`. */
  postJson(path: string, json: string, signal: AbortSignal): Promise<HttpAnswer> {
    return this.send('POST', path, signal, Buffer.from(json, 'utf8'), {
      'content-type': 'application/json',
    });
  }

  /** `PATCH` JSON text to a REST path such as `/v1/private/traces/{id}`. */
  patchJson(path: string, json: string, signal: AbortSignal): Promise<HttpAnswer> {
    return this.send('PATCH', path, signal, Buffer.from(json, 'utf8'), {
      'content-type': 'application/json',
    });
  }

  get(path: string, signal: AbortSignal): Promise<HttpAnswer> {
    return this.send('GET', path, signal, undefined, { accept: 'application/json' });
  }

  /** Waits for the requests under way, then closes the connections. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.inFlight);
    this.agent.destroy();
  }

  private async send(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    signal: AbortSignal,
    body: Uint8Array | undefined,
    headers: Record<string, string>,
  ): Promise<HttpAnswer> {
    const all = { ...this.common, ...headers };
    let payload = body;
    if (body && this.options.compression === 'gzip') {
      payload = await gzipAsync(body, { level: this.options.compressionLevel });
      all['content-encoding'] = 'gzip';
    }
    const size = payload?.byteLength ?? 0;
    const limit = Math.min(this.options.maxBodyBytes || Number.POSITIVE_INFINITY, this.learntLimit);
    if (size > limit) return tooLarge(size, limit, limit === this.learntLimit);
    try {
      if (payload) all['content-length'] = String(payload.byteLength);
      const answer = await this.exchange(method, this.basePath + path, all, payload, signal);
      if (answer.status === 413 && size > 0) {
        const stated = Number(OPIK_LIMIT_RE.exec(answer.body)?.[1] ?? Number.NaN);
        this.learntLimit = Math.min(this.learntLimit, Number.isNaN(stated) ? size - 1 : stated);
      }
      return answer;
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      // The path lets the fallback tell an unreachable OTLP route from an unreachable Opik.
      throw new PathError(
        path.startsWith('/v1/private/otel/') ? 'otlp' : 'rest',
        'ERR_EXPORT_FAILED',
        `cannot reach Opik at ${this.options.endpoint}: ${(err as Error).message}`,
        {},
        { cause: err },
      );
    }
  }

  /** One request and its whole answer; rejects with the transport's error. */
  private exchange(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
    signal: AbortSignal,
  ): Promise<HttpAnswer> {
    if (this.closed) return Promise.reject(new Error('the client is closed'));
    // `hostname` of an IPv6 URL keeps its brackets, which the client does not take.
    const hostname = this.url.hostname.replace(/^\[(.*)\]$/, '$1');
    const answer = new Promise<HttpAnswer>((resolve, reject) => {
      const req = this.request({
        agent: this.agent,
        hostname,
        port: this.url.port,
        method,
        path,
        headers,
        signal,
      });
      req.once('error', reject);
      req.once('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('error', reject);
        res.once('close', () => {
          if (!res.complete) reject(new Error('the connection closed before the answer ended'));
        });
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      });
      req.end(body);
    });
    this.inFlight.add(answer);
    const done = () => this.inFlight.delete(answer);
    answer.then(done, done);
    return answer;
  }
}

/** Whether `name` can travel in an HTTP header unchanged (Opik reads `projectName` as Latin-1). */
export function isHeaderSafe(name: string): boolean {
  return /^[\x20-\x7e]*$/.test(name);
}

/** The 413 a body over the limit gets without being sent (classified like Opik's: split). */
function tooLarge(size: number, limit: number, opiks: boolean): HttpAnswer {
  const whose = opiks ? 'the limit Opik answered 413 for' : 'max_request_body_size';
  return {
    status: 413,
    headers: {},
    body: JSON.stringify({
      code: 413,
      message: `not sent: the body (${size} bytes as sent) exceeds ${whose} (${limit} bytes)`,
    }),
  };
}
