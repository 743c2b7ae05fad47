import { z } from 'zod';
import { bool, endpoint, int, str } from '../../config/schema.js';
import type { ConfigIssue } from '../../errors/errors.js';
import { requestLimitsSchema } from '../../receiverhelper/limits.js';
import { grpcServerSettings, httpServerSettings } from '../../server/server-settings.js';

const MiB = 1024 * 1024;

const httpSchema = z.strictObject({
  endpoint: endpoint().default('0.0.0.0:4318'),
  traces_url_path: str()
    .refine((p) => p.startsWith('/'), { error: 'must start with /' })
    .default('/v1/traces'),
  max_request_body_size: int({ min: 1 }).default(20 * MiB),
  /**
   * Also accept Dify's "Aliyun" tracing provider: its path `/adapt_<license key>/api/otlp/traces`,
   * and a `405` to the `HEAD` request it sends to check the endpoint when its config is saved.
   */
  dify_aliyun_compat: bool().default(false),
  ...httpServerSettings,
});

const grpcSchema = z.strictObject({
  endpoint: endpoint().default('0.0.0.0:4317'),
  max_recv_msg_size_mib: int({ min: 1 }).default(4),
  ...grpcServerSettings,
});

// `http:` with nothing under it enables the protocol with its defaults, as in the Collector.
const enabled = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null ? {} : v), schema).optional();

export const otlpConfigSchema = z.strictObject({
  protocols: z.strictObject({
    http: enabled(httpSchema),
    grpc: enabled(grpcSchema),
  }),
  /** Bounds on the work one request may cause, for both protocols (`receiverhelper/limits.ts`). */
  limits: requestLimitsSchema,
});

export type OtlpReceiverConfig = z.infer<typeof otlpConfigSchema>;
export type OtlpHttpConfig = z.infer<typeof httpSchema>;
export type OtlpGrpcConfig = z.infer<typeof grpcSchema>;

/**
 * No protocol is on until listed (`protocols: { http: }` turns HTTP on with its defaults), as in
 * the Collector; listing none is an error.
 */
export function createDefaultConfig(): Record<string, unknown> {
  return { protocols: {} };
}

export function validate(config: OtlpReceiverConfig): ConfigIssue[] {
  if (!config.protocols.http && !config.protocols.grpc) {
    return [
      {
        path: 'protocols',
        message: 'enable at least one protocol: http or grpc (an empty `http:` uses the defaults)',
      },
    ];
  }
  return [];
}
