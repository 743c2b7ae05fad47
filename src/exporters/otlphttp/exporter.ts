import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Component, Settings, TracesConsumer } from '../../component/types.js';
import { PermanentError } from '../../errors/errors.js';
import { decodeTracesResponseJson, encodeTracesJson } from '../../otlp/json-codec.js';
import { decodeTracesResponse, encodeTracesRequest } from '../../otlp/proto-codec.js';
import type { PartialSuccess } from '../../otlp/replies.js';
import type { Traces } from '../../pdata/traces.js';
import { ClientAuth } from '../otlp/client-auth.js';
import { otlpExporter } from '../otlp/otlp-exporter.js';
import { Reloading } from '../otlp/reloading.js';
import { userAgent } from '../otlp/user-agent.js';
import { classifyHttpFailure } from './classify.js';
import { type OtlpHttpConfig, tracesUrl } from './config.js';
import type { HttpAnswer, OtlpHttpClient } from './http-client.js';

const gzipAsync = promisify(gzip);

const CONTENT_TYPE = { proto: 'application/x-protobuf', json: 'application/json' } as const;

/** The `otlphttp` exporter: `POST` OTLP/HTTP (protobuf or JSON) through the exporterhelper chain. */
export function createOtlpHttpExporter(
  settings: Settings,
  config: OtlpHttpConfig,
  now: () => number = Date.now,
): Component & TracesConsumer {
  const url = tracesUrl(config);
  // The HTTP client (undici) is loaded when an `otlphttp` exporter starts, not by every collector.
  let Client: typeof OtlpHttpClient | undefined;
  const client = new Reloading(() => new Client!(url, config.tls), config.tls, settings.logger);
  // Configured headers may replace the user agent or Host; validation keeps them off the body's.
  const headers: Record<string, string> = {
    'user-agent': userAgent(),
    ...config.headers,
    'content-type': CONTENT_TYPE[config.encoding],
    ...(config.compression === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
  };

  async function encode(traces: Traces): Promise<Uint8Array> {
    const raw =
      config.encoding === 'json'
        ? Buffer.from(encodeTracesJson(traces), 'utf8')
        : encodeTracesRequest(traces);
    if (config.compression === 'none') return raw;
    return gzipAsync(raw, { level: config.compression_params.level });
  }

  const auth = new ClientAuth(config.auth);
  return otlpExporter(settings, config, {
    async exportOnce(traces, signal) {
      const answer = await client
        .get()
        .post(await encode(traces), { ...headers, ...auth.headers() }, signal);
      if (answer.status < 200 || answer.status > 299) {
        throw classifyHttpFailure(answer, url.href, now());
      }
      return readPartialSuccess(answer, url.href);
    },
    async open(host) {
      Client ??= (await import('./http-client.js')).OtlpHttpClient;
      client.get();
      auth.open(host, url.protocol !== 'https:', settings.logger);
    },
    close: () => client.close(),
  });
}

/**
 * The partial success in a 2xx body, read by its content type (another type, or no body, means
 * none). A body that does not parse is a permanent error, as in the Collector: the server took
 * the data, and a retry would send it twice.
 */
function readPartialSuccess(answer: HttpAnswer, url: string): PartialSuccess | undefined {
  if (answer.body.length === 0) return undefined;
  try {
    if (answer.contentType === CONTENT_TYPE.proto) return decodeTracesResponse(answer.body);
    if (answer.contentType === CONTENT_TYPE.json) return decodeTracesResponseJson(answer.body);
    return undefined;
  } catch (err) {
    throw new PermanentError(
      'ERR_EXPORT_REJECTED',
      `${url} answered ${answer.status} with a body that is not an ExportTraceServiceResponse`,
      { cause: err },
    );
  }
}
