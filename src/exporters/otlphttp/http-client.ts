import type { ConnectionOptions } from 'node:tls';
import { Pool } from 'undici';
import { clientTlsOptions, type TlsClientConfig } from '../../config/tls.js';
import { PermanentError, RetryableError } from '../../errors/errors.js';

/** What came back for one POST: status, the headers the exporter reads, and the body. */
export interface HttpAnswer {
  readonly status: number;
  /** The MIME type alone, lower-case (`application/x-protobuf`), or ''. */
  readonly contentType: string;
  readonly retryAfter: string | undefined;
  readonly body: Buffer;
}

/** Answers are read up to this size, as the Collector does: a partial success or a Status is small. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Keep-alive connections (undici) to the origin of one URL, with the TLS settings when the URL is
 * `https:`. A request that gets no answer (refused, reset, DNS, TLS) is a retryable
 * `ERR_EXPORT_FAILED`; an answer of any status is returned for the caller to classify.
 */
export class OtlpHttpClient {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(
    readonly url: URL,
    tls: TlsClientConfig,
  ) {
    this.path = `${url.pathname}${url.search}`;
    this.pool = new Pool(url.origin, {
      keepAliveTimeout: 30_000,
      ...(url.protocol === 'https:' ? { connect: tlsConnectOptions(tls) } : {}),
    });
  }

  async post(
    body: Uint8Array,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<HttpAnswer> {
    try {
      const res = await this.pool.request({
        method: 'POST',
        path: this.path,
        headers,
        body,
        signal,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        chunks.push(chunk as Buffer);
        size += (chunk as Buffer).length;
        if (size >= MAX_ANSWER_BYTES) break;
      }
      const header = (name: string) => {
        const v = res.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      return {
        status: res.statusCode,
        contentType: (header('content-type') ?? '').split(';')[0]!.trim().toLowerCase(),
        retryAfter: header('retry-after'),
        body: Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES),
      };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      // undici refused the request itself (a header it will not send): the same every time.
      if ((err as { code?: unknown }).code === 'UND_ERR_INVALID_ARG') {
        throw new PermanentError(
          'ERR_EXPORT_REJECTED',
          `cannot send to ${this.url.href}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      throw new RetryableError(
        'ERR_EXPORT_FAILED',
        `OTLP/HTTP export to ${this.url.href} got no answer: ${(err as Error).message}`,
        {},
        { cause: err },
      );
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

function tlsConnectOptions(tls: TlsClientConfig): ConnectionOptions {
  const { ca, cert, key, minVersion, maxVersion, rejectUnauthorized, servername } =
    clientTlsOptions(tls);
  return {
    ca,
    cert,
    key,
    minVersion,
    maxVersion,
    rejectUnauthorized,
    ...(servername ? { servername } : {}),
  };
}
