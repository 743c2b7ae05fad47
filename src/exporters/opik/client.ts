import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Pool } from 'undici';
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
  /** For an `https://` endpoint: trusted CA, client certificate, verification, server name. */
  readonly tls?: TlsClientConfig;
}

/** The client for an `opik` exporter's settings (the exporter, `doctor` and `replay` share it). */
export function opikHttpFor(config: OpikConfig): OpikHttp {
  return new OpikHttp({
    endpoint: config.endpoint,
    apiKey: config.api_key,
    workspace: config.workspace,
    projectName: config.project_name,
    compression: config.compression,
    compressionLevel: config.compression_params.level,
    tls: config.tls,
  });
}

/**
 * Opik's HTTP API over one keep-alive connection pool (undici): the few calls the exporter
 * makes, with Opik's headers. Answers come back unclassified (see `classify.ts`); a transport
 * failure (refused, reset, DNS) is a `RetryableError`. Never logs: the key is a header here.
 */
export class OpikHttp {
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly common: Record<string, string>;

  constructor(private readonly options: OpikHttpOptions) {
    const url = new URL(options.endpoint);
    this.pool = new Pool(url.origin, {
      connections: 8,
      keepAliveTimeout: 30_000,
      ...(options.tls ? { connect: clientTlsOptions(options.tls) } : {}),
    });
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

  close(): Promise<void> {
    return this.pool.close();
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
    try {
      const res = await this.pool.request({
        method,
        path: this.basePath + path,
        headers: all,
        body: payload,
        signal,
      });
      return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
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
}

/** Whether `name` can travel in an HTTP header unchanged (Opik reads `projectName` as Latin-1). */
export function isHeaderSafe(name: string): boolean {
  return /^[\x20-\x7e]*$/.test(name);
}
