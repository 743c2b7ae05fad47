import { z } from 'zod';
import { authSettingsSchema } from '../../component/auth.js';
import { bool, duration, parseEndpoint, str } from '../../config/schema.js';
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
import { headersSchema, reservedHeaderIssues } from './headers.js';

/**
 * The `otlp` (gRPC) exporter's settings, with the names and defaults of the Collector's
 * `otlp_grpc` exporter (`configgrpc.ClientConfig` + exporterhelper).
 */
export const otlpGrpcConfigSchema = z.strictObject({
  /** `host:port`, `https://host:port`, `http://host:port`, or a gRPC target such as `dns:///host:port`. */
  endpoint: str().refine((e) => grpcTarget(e) !== undefined, {
    error: (i) =>
      `expected host:port, http(s)://host:port or a gRPC target such as dns:///host:port, got ${JSON.stringify(i.input)}`,
  }),
  tls: tlsClientSchema,
  headers: headersSchema,
  /** An authenticator extension whose credentials go with every request (`bearertokenauth`). */
  auth: authSettingsSchema.optional(),
  compression: z.enum(['gzip', 'none'], { error: 'expected gzip or none' }),
  /** Per attempt (exporterhelper `timeout`); also sent to the server as the call's deadline. */
  timeout: duration(),
  keepalive: z
    .preprocess(
      (v) => (v === null ? {} : v),
      z.strictObject({
        time: duration().default(0),
        timeout: duration().default(0),
        permit_without_stream: bool().default(false),
      }),
    )
    .optional(),
  balancer_name: z.enum(['round_robin', 'pick_first'], {
    error: 'expected round_robin or pick_first',
  }),
  authority: str().optional(),
  wait_for_ready: bool(),
  retry_on_failure: retryOnFailureSchema,
  sending_queue: sendingQueueSchema,
});
export type OtlpGrpcConfig = z.infer<typeof otlpGrpcConfigSchema>;

/** No `endpoint`: the user must give one, as in the Collector. */
export function createDefaultConfig(): Record<string, unknown> {
  return {
    tls: {},
    headers: {},
    compression: 'gzip',
    timeout: '5s',
    balancer_name: 'round_robin',
    wait_for_ready: false,
    retry_on_failure: defaultRetryOnFailure(),
    sending_queue: defaultSendingQueue(),
  };
}

export function validate(c: OtlpGrpcConfig): ConfigIssue[] {
  return [
    ...validateRetryOnFailure(c.retry_on_failure, 'retry_on_failure'),
    ...validateSendingQueue(c.sending_queue, 'sending_queue'),
    ...reservedHeaderIssues(c.headers, (n) => n.startsWith('grpc-') || GRPC_RESERVED.has(n)),
  ];
}

/** Headers gRPC itself writes (besides every `grpc-*`). */
const GRPC_RESERVED = new Set(['content-type', 'te', 'user-agent']);

/**
 * What grpc-js dials for an `endpoint`: `http://` and `https://` are stripped (they are not gRPC
 * resolver schemes), another scheme (`dns:`, `unix:`, `ipv4:`…) is passed on as it is, and a bare
 * endpoint must be `host:port`. `undefined` when it is none of these.
 */
export function grpcTarget(endpoint: string): string | undefined {
  const web = /^https?:\/\/(.*)$/.exec(endpoint);
  if (web) return parseEndpoint(web[1]!) ? web[1] : undefined;
  if (parseEndpoint(endpoint)) return endpoint;
  return /^[a-z][a-z0-9+.-]*:/i.test(endpoint) ? endpoint : undefined;
}

/**
 * TLS is on unless `tls.insecure` is set without a `ca_file`, as in the Collector (an `http://`
 * endpoint does not turn it off for gRPC; `https://` always wants it).
 */
export function usesTls(c: OtlpGrpcConfig): boolean {
  return c.endpoint.startsWith('https://') || !c.tls.insecure || c.tls.ca_file !== undefined;
}
