import { z } from 'zod';
import { authSettingsSchema } from '../../component/auth.js';
import { duration, httpUrl, int } from '../../config/schema.js';
import { tlsClientSchema } from '../../config/tls.js';
import type { ConfigIssue } from '../../errors/errors.js';
import {
  defaultRetryOnFailure,
  retryOnFailureSchema,
  validateRetryOnFailure,
} from '../../exporterhelper/config.js';
import {
  defaultSendingQueue,
  sendingQueueSchema,
  validateSendingQueue,
} from '../../exporterhelper/queue/config.js';
import { headersSchema, reservedHeaderIssues } from '../otlp/headers.js';

/**
 * The `otlphttp` exporter's settings, with the names and defaults of the Collector's `otlp_http`
 * exporter (`confighttp.ClientConfig` + exporterhelper).
 */
export const otlpHttpConfigSchema = z.strictObject({
  /** Base URL; `/v1/traces` is appended. */
  endpoint: httpUrl().optional(),
  /** The full URL for traces; when set, `endpoint` is not used for traces. */
  traces_endpoint: httpUrl().optional(),
  encoding: z.enum(['proto', 'json'], { error: 'expected proto or json' }),
  compression: z.enum(['gzip', 'none'], { error: 'expected gzip or none' }),
  compression_params: z.strictObject({
    /** gzip level: 1 (fastest) to 9 (smallest), or -1 for zlib's default (6). */
    level: int().refine((l) => l === -1 || (l >= 1 && l <= 9), {
      error: 'gzip levels are 1 to 9, or -1 for the default',
    }),
  }),
  headers: headersSchema,
  /** An authenticator extension whose credentials go with every request (`bearertokenauth`). */
  auth: authSettingsSchema.optional(),
  tls: tlsClientSchema,
  /** The whole HTTP request, per attempt. */
  timeout: duration(),
  retry_on_failure: retryOnFailureSchema,
  sending_queue: sendingQueueSchema,
});
export type OtlpHttpConfig = z.infer<typeof otlpHttpConfigSchema>;

/** No endpoint: the user must give `endpoint` or `traces_endpoint`, as in the Collector. */
export function createDefaultConfig(): Record<string, unknown> {
  return {
    encoding: 'proto',
    compression: 'gzip',
    compression_params: { level: -1 },
    headers: {},
    tls: {},
    timeout: '30s',
    retry_on_failure: defaultRetryOnFailure(),
    sending_queue: defaultSendingQueue(),
  };
}

export function validate(c: OtlpHttpConfig): ConfigIssue[] {
  const issues = [
    ...validateRetryOnFailure(c.retry_on_failure, 'retry_on_failure'),
    ...validateSendingQueue(c.sending_queue, 'sending_queue'),
    ...reservedHeaderIssues(c.headers, (n) => HTTP_RESERVED.has(n)),
  ];
  if (c.endpoint === undefined && c.traces_endpoint === undefined) {
    issues.push({ path: 'endpoint', message: 'set endpoint or traces_endpoint' });
  }
  return issues;
}

/** Headers that describe the body or the connection, which the exporter and undici write. */
const HTTP_RESERVED = new Set([
  'content-type',
  'content-encoding',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);

/**
 * Where traces go: `traces_endpoint` as given, else `endpoint` + `/v1/traces` (one slash between
 * them, whether or not `endpoint` ends with one), as the Collector composes it.
 */
export function tracesUrl(c: Pick<OtlpHttpConfig, 'endpoint' | 'traces_endpoint'>): URL {
  if (c.traces_endpoint !== undefined) return new URL(c.traces_endpoint);
  const base = c.endpoint!;
  return new URL(base.endsWith('/') ? `${base}v1/traces` : `${base}/v1/traces`);
}
