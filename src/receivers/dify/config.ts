import { z } from 'zod';
import { endpoint, int } from '../../config/schema.js';
import { requestLimitsSchema } from '../../receiverhelper/limits.js';
import { httpServerSettings } from '../../server/server-settings.js';

/** 20 MiB, the Collector's confighttp default for `max_request_body_size`. */
export const DEFAULT_MAX_REQUEST_BODY_SIZE = 20 * 1024 * 1024;

export const difyReceiverConfigSchema = z.strictObject({
  /** `host:port` to listen on; port 0 picks a free port (tests). */
  endpoint: endpoint(),
  /** Largest body accepted, in bytes, as sent and again after decompression. */
  max_request_body_size: int({ min: 1 }),
  /** `tls`, `auth: { authenticator }`, timeouts and the connection cap, as the `otlp` receiver's. */
  ...httpServerSettings,
  /** Bounds on the work one request may cause (`receiverhelper/limits.ts`). */
  limits: requestLimitsSchema,
});

export type DifyReceiverConfig = z.infer<typeof difyReceiverConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  return { endpoint: '0.0.0.0:4319', max_request_body_size: DEFAULT_MAX_REQUEST_BODY_SIZE };
}
